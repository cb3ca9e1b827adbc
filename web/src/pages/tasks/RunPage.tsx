import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { OutputEntry } from '../../api/types';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { ProgressBar } from '../../components/Progress';
import { RUN_STATUS } from '../../components/status';
import { Time } from '../../components/Time';
import { isApiError } from '../../api/errors';
import { useOrg } from '../org/OrgScope';
import { useServers } from '../servers/queries';
import { Hosts } from './Hosts';
import { Output } from './Output';
import { useRecipes, useRun } from './queries';
import { runTitle } from './runTitle';
import { useRunOutput } from './useRunOutput';

/** One run: progress over its servers, each server's outcome and steps, and the output as it arrives. */
export function RunPage() {
  const org = useOrg();
  const { runId = '' } = useParams();
  const run = useRun(org.id, runId);
  const recipes = useRecipes();
  const servers = useServers(org.id);
  const output = useRunOutput(org.id, runId);
  const [only, setOnly] = useState('');
  const names = useMemo(() => new Map((servers.data ?? []).map((s) => [s.id, s.name])), [servers.data]);
  const byServer = useMemo(() => {
    const map = new Map<string, OutputEntry[]>();
    for (const e of output.entries) map.set(e.serverId, [...(map.get(e.serverId) ?? []), e]);
    return map;
  }, [output.entries]);

  if (run.isPending) return <Loading label="Loading the run" />;
  if (!run.data) {
    return (
      <>
        <PageHeader title="Task run" />
        {isApiError(run.error, 'STEWARD_NOT_FOUND') ? (
          <EmptyState title="There is no such run in this organisation." />
        ) : (
          <ErrorNotice error={run.error} title="The run could not be loaded" onRetry={() => void run.refetch()} />
        )}
      </>
    );
  }
  const r = run.data;
  const progress = output.progress ?? r.progress;
  const status = output.ended ?? r.status;
  const look = RUN_STATUS[status];
  const finished = progress.done + progress.failed;
  const shown = only ? r.hosts.filter((h) => h.serverId === only) : r.hosts;
  return (
    <>
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/tasks`}>Tasks</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={runTitle(r, recipes.data)}
        badge={<Badge tone={look.tone}>{look.label}</Badge>}
        description={
          <>
            Started <Time iso={r.createdAt} />
            {r.finishedAt ? (
              <>
                , finished <Time iso={r.finishedAt} />
              </>
            ) : null}
            .{' '}
            {r.kind === 'command'
              ? 'An ad-hoc command.'
              : r.kind === 'discovery'
                ? 'Steward collected what runs on the servers.'
                : 'A maintenance recipe: each step checks first and changes only what is needed.'}
          </>
        }
      />
      <section className="section card" aria-label="Progress">
        <ProgressBar
          label="Servers finished"
          value={finished}
          max={progress.total}
          detail={`${finished} of ${progress.total} finished${progress.failed ? `, ${progress.failed} failed` : ''}${progress.changed ? `, ${progress.changed} changed` : ''}${progress.running ? `, ${progress.running} running` : ''}`}
        />
        <p role="status" className="muted small">
          {status === 'running'
            ? output.mode === 'live'
              ? 'Live: output appears as the servers write it.'
              : output.mode === 'polling'
                ? 'Following the run (checking every second).'
                : 'Connecting to the run…'
            : `The run ${look.label.toLowerCase()}.`}
        </p>
      </section>
      <section className="section" aria-labelledby="run-servers">
        <h2 id="run-servers">Servers</h2>
        <Hosts run={r} names={names} />
      </section>
      <section className="section" aria-labelledby="run-output">
        <div className="section-head">
          <h2 id="run-output">Output</h2>
          {r.hosts.length > 1 && (
            <SelectField label="Show" value={only} onChange={(event) => setOnly(event.target.value)}>
              <option value="">Every server</option>
              {r.hosts.map((h) => (
                <option key={h.serverId} value={h.serverId}>
                  {names.get(h.serverId) ?? h.serverId}
                </option>
              ))}
            </SelectField>
          )}
        </div>
        {shown.map((h) => (
          <div key={h.serverId} className="output-block">
            {r.hosts.length > 1 && <h3>{names.get(h.serverId) ?? h.serverId}</h3>}
            <Output
              entries={byServer.get(h.serverId) ?? []}
              label={`Output of ${names.get(h.serverId) ?? h.serverId}`}
            />
          </div>
        ))}
      </section>
    </>
  );
}
