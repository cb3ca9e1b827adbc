import { Link } from 'react-router';
import type { TaskRun } from '../../api/types';
import { Badge } from '../../components/Badge';
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
}: {
  runs: readonly TaskRun[];
  orgId: string;
  caption: string;
  serverNames: ReadonlyMap<string, string>;
}) {
  const recipes = useRecipes();
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Kind</th>
            <th scope="col">Servers</th>
            <th scope="col">Status</th>
            <th scope="col">Started</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => {
            const look = RUN_STATUS[run.status];
            const names = run.hosts.map((h) => serverNames.get(h.serverId) ?? h.serverId);
            return (
              <tr key={run.id}>
                <th scope="row">
                  <Link to={`/orgs/${orgId}/tasks/${run.id}`} className={run.kind === 'command' ? 'mono' : undefined}>
                    {runTitle(run, recipes.data)}
                  </Link>
                </th>
                <td>{KIND[run.kind]}</td>
                <td className="small">
                  {names.length <= 3
                    ? names.join(', ')
                    : `${names.slice(0, 2).join(', ')} and ${names.length - 2} more`}
                </td>
                <td className="nowrap">
                  <Badge tone={look.tone}>{look.label}</Badge>{' '}
                  <span className="muted small">
                    {run.progress.done + run.progress.failed}/{run.progress.total}
                  </span>
                  {look.moving && <span className="spinner inline" aria-hidden="true" />}
                </td>
                <td className="nowrap">
                  <Time iso={run.createdAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
