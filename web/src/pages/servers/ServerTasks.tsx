import { EmptyState } from '../../components/EmptyState';
import { useOrg } from '../org/OrgScope';
import { NewTaskForm } from '../tasks/NewTaskForm';
import { useRuns } from '../tasks/queries';
import { RunsTable } from '../tasks/RunsTable';
import { useServerPage } from './ServerLayout';

/** Run something on this server, and everything that ran on it before. */
export function ServerTasks() {
  const org = useOrg();
  const { server } = useServerPage();
  const runs = useRuns(org.id, server.id);
  return (
    <>
      <section className="section" aria-labelledby="server-run">
        <h2 id="server-run">Run on {server.name}</h2>
        {server.status === 'ready' ? (
          <NewTaskForm orgId={org.id} servers={[server]} fixed />
        ) : (
          <p className="muted">Tasks can run once the server is ready; it is {server.status.replace('_', ' ')} now.</p>
        )}
      </section>
      <section className="section" aria-labelledby="server-history">
        <h2 id="server-history">Task history</h2>
        <RunsTable
          runs={runs}
          orgId={org.id}
          caption={`Task history of ${server.name}`}
          serverNames={new Map([[server.id, server.name]])}
          empty={<EmptyState title="Nothing has run on this server yet" />}
        />
      </section>
    </>
  );
}
