import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { TaskRun } from '../../api/types';
import { Badge } from '../../components/Badge';
import type { QueryLike } from '../../components/QueryState';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { RUN_STATUS } from '../../components/status';
import { useRecipes } from './queries';
import { runTitle } from './runTitle';

const KIND = { recipe: 'Recipe', command: 'Command', discovery: 'Discovery' } as const;

/** Task history: what ran, where, how it went. Each row opens the run with its output. */
export function RunsTable({
  runs,
  orgId,
  caption,
  serverNames,
  empty,
}: {
  runs: QueryLike<readonly TaskRun[]>;
  orgId: string;
  caption: string;
  serverNames: ReadonlyMap<string, string>;
  /** Shown instead of the table when nothing has run. */
  empty: ReactNode;
}) {
  const recipes = useRecipes();
  const columns: Column<TaskRun>[] = [
    {
      header: 'Task',
      rowHeader: true,
      cell: (run) => (
        <Link to={`/orgs/${orgId}/tasks/${run.id}`} className={run.kind === 'command' ? 'mono' : undefined}>
          {runTitle(run, recipes.data)}
        </Link>
      ),
    },
    { header: 'Kind', cell: (run) => KIND[run.kind] },
    {
      header: 'Servers',
      className: 'small',
      cell: (run) => {
        const names = run.hosts.map((h) => serverNames.get(h.serverId) ?? h.serverId);
        return names.length <= 3 ? names.join(', ') : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`;
      },
    },
    {
      header: 'Status',
      className: 'nowrap',
      cell: (run) => {
        const look = RUN_STATUS[run.status];
        return (
          <>
            <Badge tone={look.tone}>{look.label}</Badge>{' '}
            <span className="muted small">
              {run.progress.done + run.progress.failed}/{run.progress.total}
            </span>
            {look.moving && <span className="spinner inline" aria-hidden="true" />}
          </>
        );
      },
    },
    { header: 'Started', className: 'nowrap', cell: (run) => <Time iso={run.createdAt} /> },
  ];
  return (
    <QueryTable
      query={runs}
      loading="Loading the history"
      failed="The history could not be loaded"
      caption={caption}
      columns={columns}
      rowKey={(run) => run.id}
      empty={empty}
    />
  );
}
