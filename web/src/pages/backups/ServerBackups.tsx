import { useState } from 'react';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { QueryState } from '../../components/QueryState';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useServerPage } from '../servers/ServerLayout';
import { useBackupActions, useBackupRun, useProposals, useServerBackups } from './queries';

const size = (n: number): string =>
  n >= 1 << 30
    ? `${(n / (1 << 30)).toFixed(1)} GiB`
    : n >= 1 << 20
      ? `${(n / (1 << 20)).toFixed(1)} MiB`
      : n >= 1024
        ? `${(n / 1024).toFixed(1)} KiB`
        : `${n} B`;
const seconds = (ms: number | null) => (ms === null ? '—' : `${Math.round(ms / 100) / 10} s`);

/** A restore or dry run in progress, then what it did or would do. */
function RestoreRun({ orgId, runId }: { orgId: string; runId: string }) {
  const run = useBackupRun(orgId, runId);
  if (!run.data) return <Loading label="Starting the restore" />;
  const r = run.data;
  if (r.status === 'queued' || r.status === 'running') {
    const moved = Number(r.progress?.bytesWritten ?? 0);
    return <p role="status">{r.dryRun ? 'Reading the restore point…' : `Restoring… ${size(moved)} written`}</p>;
  }
  if (r.status === 'failed')
    return (
      <p role="alert" className="error">
        {r.error?.code}: {r.error?.message}
      </p>
    );
  if (!r.dryRun) return <p role="status">Restored: {size(r.bytesRead)} written to the server.</p>;
  const changes = (r.result?.changes ?? []) as { action: string; path: string; detail?: string }[];
  if (changes.length === 0) return <p role="status">Nothing would change.</p>;
  return (
    <SimpleTable
      caption="What the restore would change"
      rows={changes}
      rowKey={(c) => `${c.action}:${c.path}`}
      empty=""
      columns={[
        { header: 'Change', cell: (c) => <Badge>{c.action}</Badge> },
        { header: 'Table or path', rowHeader: true, cell: (c) => <span className="mono small">{c.path}</span> },
        { header: 'Note', cell: (c) => c.detail ?? '' },
      ]}
    />
  );
}

/** A server's backups: what is backed up and how it went, restore points, and what discovery suggests. */
export function ServerBackups() {
  const org = useOrg();
  const { server } = useServerPage();
  const plans = useServerBackups(org.id, server.id);
  const proposals = useProposals(org.id, server.id);
  const actions = useBackupActions(org.id, server.id);
  const [restoreRun, setRestoreRun] = useState<string | null>(null);
  const startRestore = async (snapshotId: string, dryRun: boolean) => {
    const run = await actions.restore.mutateAsync({ snapshotId, dryRun });
    setRestoreRun(run.id);
  };
  return (
    <section aria-labelledby="backups-title">
      <h2 id="backups-title">Backups</h2>
      <p className="muted">
        Databases and files of this server, kept encrypted in restic repositories that your organisation’s key opens
        (see <a href="https://restic.net">restic</a>). Each backup logs in to the server once and streams the dump or
        archive straight into the repository.
      </p>
      <QueryState query={plans} loading="Loading backups" failed="Backups could not be loaded" />
      <ErrorNotice
        error={actions.runNow.error ?? actions.createPlan.error ?? actions.restore.error}
        title="That did not work"
      />
      {plans.data?.length === 0 && (
        <EmptyState title="Nothing is backed up yet">Pick what to back up from the suggestions below.</EmptyState>
      )}
      {plans.data?.map((p) => (
        <article key={p.plan.id} aria-labelledby={`plan-${p.plan.id}`} className="card">
          <h3 id={`plan-${p.plan.id}`}>
            {p.plan.name} {p.late && <Badge tone="warn">late</Badge>}{' '}
            {p.lastRun?.status === 'failed' && <Badge tone="danger">last run failed</Badge>}
          </h3>
          <p className="small">
            {p.plan.kind === 'files' ? p.plan.paths.join(', ') : `${p.plan.kind} database ${p.plan.database}`}, every{' '}
            {p.plan.everyMinutes} minutes; keeps the last {p.plan.keep.last}, {p.plan.keep.daily} daily,{' '}
            {p.plan.keep.weekly} weekly, {p.plan.keep.monthly} monthly.
          </p>
          <p className="small">
            Last good backup:{' '}
            {p.lastGood?.at ? (
              <>
                <Time iso={p.lastGood.at} />, {size(p.lastGood.sizeBytes)} read, {size(p.lastGood.addedBytes)} added,{' '}
                {seconds(p.lastGood.durationMs)}
              </>
            ) : (
              'none yet'
            )}
            {p.lastRun?.status === 'running' &&
              ` · backing up now: ${size(Number(p.lastRun.progress?.bytesRead ?? 0))} read`}
            {p.lastRun?.status === 'failed' && ` · last run: ${p.lastRun.error?.code} ${p.lastRun.error?.message}`}
          </p>
          <Button
            onClick={() => actions.runNow.mutate(p.plan.id)}
            busy={actions.runNow.isPending && actions.runNow.variables === p.plan.id}
            disabled={p.lastRun?.status === 'running' || p.lastRun?.status === 'queued'}
          >
            Back up now
          </Button>
          <SimpleTable
            caption={`Restore points of ${p.plan.name}`}
            rows={p.restorePoints}
            rowKey={(s) => s.id}
            empty="No restore point yet."
            columns={[
              { header: 'Taken', rowHeader: true, cell: (s) => <Time iso={s.takenAt} /> },
              { header: 'Size', cell: (s) => size(s.sizeBytes) },
              { header: 'Added', cell: (s) => size(s.addedBytes) },
              { header: 'Took', cell: (s) => seconds(s.durationMs) },
              {
                header: 'Restore',
                cell: (s) => (
                  <>
                    <Button onClick={() => void startRestore(s.id, true)}>Dry run</Button>{' '}
                    <Button
                      variant="danger"
                      onClick={() => {
                        if (window.confirm(`Restore ${p.plan.name} from this restore point onto ${server.name}?`))
                          void startRestore(s.id, false);
                      }}
                    >
                      Restore
                    </Button>
                  </>
                ),
              },
            ]}
          />
        </article>
      ))}
      {restoreRun && <RestoreRun orgId={org.id} runId={restoreRun} />}
      <h3>Suggested from discovery</h3>
      {proposals.data?.length === 0 && <p className="muted">Every database and web root found has a plan.</p>}
      {proposals.error && <p className="muted">Run discovery on this server to get suggestions.</p>}
      <ul>
        {proposals.data?.map((s) => (
          <li key={`${s.kind}:${s.database ?? s.paths?.join(',')}`}>
            {s.kind === 'files' ? `Files: ${s.paths?.join(', ')}` : `${s.kind} database ${s.database}`}{' '}
            <Button
              onClick={() =>
                actions.createPlan.mutate({ kind: s.kind, database: s.database, paths: s.paths, name: s.name })
              }
            >
              Back up this
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
