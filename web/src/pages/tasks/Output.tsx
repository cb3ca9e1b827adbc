import type { OutputEntry } from '../../api/types';

/** One server's output, stdout and stderr interleaved as they came; stderr is marked for everyone, not only by colour. */
export function Output({ entries, label }: { entries: readonly OutputEntry[]; label: string }) {
  return (
    <pre className="run-output" tabIndex={0} aria-label={label}>
      {entries.length === 0 ? (
        <span className="muted">No output yet.</span>
      ) : (
        entries.map((e) => (
          <span
            key={`${e.serverId}/${e.seq}`}
            className={e.stream === 'stderr' ? 'stderr' : e.stream === 'log' ? 'log' : undefined}
          >
            {e.data}
          </span>
        ))
      )}
    </pre>
  );
}
