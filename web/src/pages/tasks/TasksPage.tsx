import { useMemo } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { PageHeader } from '../../components/PageHeader';
import { useOrg } from '../org/OrgScope';
import { useServers } from '../servers/queries';
import { NewTaskForm } from './NewTaskForm';
import { useRuns } from './queries';
import { RunsTable } from './RunsTable';

/** Run recipes and commands over many servers at once, and the history of everything that ran. */
export function TasksPage() {
  const org = useOrg();
  const servers = useServers(org.id);
  const runs = useRuns(org.id);
  const names = useMemo(() => new Map((servers.data ?? []).map((s) => [s.id, s.name])), [servers.data]);
  const running = runs.data?.filter((r) => r.status === 'running').length ?? 0;
  return (
    <>
      <PageHeader
        title="Tasks"
        description="Maintenance recipes and commands, run on as many servers as you choose with live output. Steward runs a few servers at a time and records every login in the credential-use ledger."
      />
      <section className="section" aria-labelledby="new-task">
        <h2 id="new-task">Run a task</h2>
        {servers.data ? <NewTaskForm orgId={org.id} servers={servers.data} /> : <Loading label="Loading servers" />}
      </section>
      <section className="section" aria-labelledby="history">
        <h2 id="history">History</h2>
        <p role="status" className="muted">
          {running > 0 ? `${running} run${running === 1 ? '' : 's'} in progress; this list updates by itself.` : ''}
        </p>
        <RunsTable
          runs={runs}
          orgId={org.id}
          caption="Task history"
          serverNames={names}
          empty={
            <EmptyState title="Nothing has run yet">
              Runs, discovery included, are listed here with their output.
            </EmptyState>
          }
        />
      </section>
    </>
  );
}
