import { Link } from 'react-router';
import type { HostRun, TaskRun } from '../../api/types';
import { Badge } from '../../components/Badge';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { hostLook } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';

/** A run's servers: each one's status, steps, exit code and when it finished. */
export function Hosts({ run, names }: { run: TaskRun; names: ReadonlyMap<string, string> }) {
  const org = useOrg();
  const name = (h: HostRun) => names.get(h.serverId) ?? h.serverId;
  const columns: Column<HostRun>[] = [
    {
      header: 'Server',
      rowHeader: true,
      cell: (h) => <Link to={`/orgs/${org.id}/servers/${h.serverId}`}>{name(h)}</Link>,
    },
    {
      header: 'Status',
      cell: (h) => {
        const look = hostLook(h.status);
        return (
          <>
            <Badge tone={look.tone}>{look.label}</Badge>
            {look.moving && <span className="spinner inline" aria-hidden="true" />}
            {h.error && <span className="error-text small party-id">{h.error}</span>}
          </>
        );
      },
    },
    {
      header: 'Steps',
      cell: (h) =>
        h.steps.length === 0 ? (
          '—'
        ) : (
          <details>
            <summary>
              {h.steps.length} step{h.steps.length === 1 ? '' : 's'}
              <span className="visually-hidden"> on {name(h)}</span>
            </summary>
            <ol className="step-list">
              {h.steps.map((s) => (
                <li key={s.id}>
                  <Badge tone={hostLook(s.status).tone}>{s.status}</Badge> {s.description}{' '}
                  <span className="muted small">{(s.durationMs / 1000).toFixed(1)} s</span>
                  {s.error && <span className="error-text small party-id">{s.error}</span>}
                </li>
              ))}
            </ol>
          </details>
        ),
    },
    { header: 'Exit code', className: 'num', cell: (h) => h.exitCode ?? '—' },
    { header: 'Finished', className: 'nowrap', cell: (h) => <Time iso={h.finishedAt} /> },
  ];
  return (
    <SimpleTable
      caption="Servers of this run"
      columns={columns}
      rows={run.hosts}
      rowKey={(h) => h.serverId}
      empty="This run has no servers."
    />
  );
}
