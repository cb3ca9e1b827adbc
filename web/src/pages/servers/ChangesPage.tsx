import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { QueryState } from '../../components/QueryState';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { ChangeList } from './ChangeList';
import { useSnapshots } from './queries';
import { useServerPage } from './ServerLayout';

/** Discovery history: each run, newest first, with what it found different from the run before. */
export function ChangesPage() {
  const org = useOrg();
  const { server } = useServerPage();
  const snapshots = useSnapshots(org.id, server.id);
  return (
    <section aria-labelledby="changes-title">
      <h2 id="changes-title">Discovery history</h2>
      <QueryState query={snapshots} loading="Loading the history" failed="The history could not be loaded" />
      {snapshots.data?.length === 0 && (
        <EmptyState title="No discovery yet">
          Each discovery run adds an entry here with what changed since the one before.
        </EmptyState>
      )}
      <ol className="timeline">
        {snapshots.data?.map((snap, i) => (
          <li key={snap.id} className="card">
            <h3>
              <Time iso={snap.takenAt} />{' '}
              {snap.attention > 0 && <Badge tone="warn">{snap.attention} worth a look</Badge>}
            </h3>
            <p>{snap.summary}</p>
            {i === snapshots.data.length - 1 && snap.changes.length === 0 ? (
              <p className="muted small">The first discovery: everything was new.</p>
            ) : snap.changes.length === 0 ? (
              <p className="muted small">No changes since the run before.</p>
            ) : (
              <ChangeList changes={snap.changes} />
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
