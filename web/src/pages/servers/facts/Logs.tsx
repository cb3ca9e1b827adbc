import { bytes, type Facts } from '../../../api/facts';
import { Time } from '../../../components/Time';

export function Logs({ f }: { f: Facts }) {
  if (f.logs.length === 0) return <p className="muted">No log files found.</p>;
  return (
    <ul className="log-list">
      {f.logs.map((log) => (
        <li key={log.path} className="card">
          <h3 className="mono">{log.path}</h3>
          <p className="muted small">
            {bytes(log.sizeBytes)}, changed <Time iso={log.modifiedAt} />
          </p>
          {log.recentLines.length > 0 && (
            <details>
              <summary>
                Recent lines<span className="visually-hidden"> of {log.path}</span>
              </summary>
              <pre tabIndex={0} className="log-lines" aria-label={`Recent lines of ${log.path}`}>
                {log.recentLines.join('\n')}
              </pre>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}
