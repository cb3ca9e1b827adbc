import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useOrg } from '../org/OrgScope';
import { SandboxConnect } from '../providers/SandboxConnect';
import { useAccounts } from '../providers/queries';
import { useFacts, useServers } from '../servers/queries';
import { useRuns } from '../tasks/queries';

interface Step {
  readonly title: string;
  readonly done: boolean;
  readonly body: ReactNode;
}

/** The newcomer's checklist, ticked by what exists (nothing to dismiss, nothing stored in the browser). */
export function useOnboarding(orgId: string) {
  const accounts = useAccounts(orgId);
  const servers = useServers(orgId);
  const runs = useRuns(orgId);
  const first = servers.data?.find((s) => s.status === 'ready') ?? servers.data?.[0];
  const facts = useFacts(orgId, first?.id ?? null);
  const loading = accounts.isPending || servers.isPending || runs.isPending || facts.isLoading;
  const state = {
    connected: (accounts.data?.length ?? 0) > 0,
    hasServer: (servers.data?.length ?? 0) > 0,
    discovered: Boolean(facts.data),
    ranTask: runs.data?.some((r) => r.kind !== 'discovery') ?? false,
  };
  return {
    loading,
    first,
    accounts: accounts.data ?? [],
    state,
    done: state.hasServer && state.discovered && state.ranTask,
  };
}

/**
 * A first-run path for someone with nothing but this machine: connect the sandbox clouds Steward runs itself,
 * launch a server there, watch Steward discover it, run a task on it. Real accounts and servers work the same.
 */
export function GetStarted() {
  const org = useOrg();
  const { loading, first, accounts, state } = useOnboarding(org.id);
  const base = `/orgs/${org.id}`;
  if (loading) return <Loading label="Loading" />;
  const steps: Step[] = [
    {
      title: 'Connect a cloud',
      done: state.connected,
      body: state.connected ? (
        <p role="status">
          Connected {accounts.map((a) => `“${a.name}” (key ${a.hint})`).join(' and ')}.{' '}
          <Link to={`${base}/providers`}>See your cloud accounts</Link>.
        </p>
      ) : (
        <>
          <p>
            Try everything on this machine with Steward’s sandbox clouds, or{' '}
            <Link to={`${base}/providers`}>connect your AWS or ElasticHosts account</Link>. Already have a server?{' '}
            <Link to={`${base}/servers/new`}>Add it by its address</Link>.
          </p>
          <SandboxConnect orgId={org.id} />
        </>
      ),
    },
    {
      title: 'Launch a server',
      done: state.hasServer,
      body: state.hasServer ? (
        <p>
          {first ? (
            <>
              <Link to={`${base}/servers/${first.id}`}>{first.name}</Link> is in your servers.
            </>
          ) : (
            'Done.'
          )}
        </p>
      ) : (
        <p>
          Steward launches it with your organisation’s SSH key, logs in and pins its host key. In the sandbox this takes
          seconds.{' '}
          {state.connected && (
            <Link className="btn btn-primary" to={`${base}/instances/launch`}>
              Launch an instance
            </Link>
          )}
        </p>
      ),
    },
    {
      title: 'See what Steward discovered',
      done: state.discovered,
      body:
        state.discovered && first ? (
          <p>
            <Link to={`${base}/servers/${first.id}/facts`}>Browse the facts of {first.name}</Link>: packages, services,
            ports, administrators, keys, logs.
          </p>
        ) : (
          <p>
            Right after the first login, one more login collects what runs on the server. Its page shows the progress.
          </p>
        ),
    },
    {
      title: 'Run a task',
      done: state.ranTask,
      body: state.ranTask ? (
        <p>
          Done. <Link to={`${base}/tasks`}>See the task history</Link>.
        </p>
      ) : (
        <p>
          A command or a maintenance recipe, with live output.{' '}
          {first && state.discovered && (
            <Link className="btn btn-primary" to={`${base}/servers/${first.id}/tasks`}>
              Run a task on {first.name}
            </Link>
          )}
        </p>
      ),
    },
  ];
  const next = steps.findIndex((s) => !s.done);
  return (
    <>
      <PageHeader
        title="Get started"
        description="From nothing to a discovered server in a few minutes. Each step ticks itself when it is done."
      />
      <ol className="checklist">
        {steps.map((step, i) => (
          <li
            key={step.title}
            className={`card checklist-item${step.done ? ' done' : ''}${i === next ? ' next' : ''}`}
            aria-current={i === next ? 'step' : undefined}
          >
            <h2>
              <span className="checklist-mark" aria-hidden="true">
                {step.done ? '✓' : i + 1}
              </span>{' '}
              {step.title}
              <span className="visually-hidden">{step.done ? ' (done)' : i === next ? ' (next)' : ' (to do)'}</span>
            </h2>
            {(step.done || i === next) && step.body}
          </li>
        ))}
      </ol>
      {next === -1 && (
        <p className="notice notice-ok" role="status">
          All done. Steward now looks after {first?.name ?? 'your server'}.
        </p>
      )}
    </>
  );
}
