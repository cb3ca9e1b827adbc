import type { AuditEntry } from '../api/types';
import { Badge } from './Badge';
import { Time } from './Time';

const RESULT_TONE = { ok: 'ok', denied: 'warn', failed: 'danger' } as const;
const toneOf = (result: string) => RESULT_TONE[result as keyof typeof RESULT_TONE] ?? 'neutral';

interface Props {
  entries: AuditEntry[];
  caption: string;
  /** Names for the ids the console knows (members by user id and membership id); others show as ids. */
  names?: ReadonlyMap<string, string>;
}

function Party({
  type,
  id,
  names,
}: {
  type: string;
  id: string | null;
  names: ReadonlyMap<string, string> | undefined;
}) {
  const name = id ? names?.get(id) : undefined;
  return (
    <>
      {name ?? type}
      {id && <span className="muted mono small party-id">{name ? `${type} ${id}` : id}</span>}
    </>
  );
}

/** Audit entries, newest first. Details are what the service recorded (secrets only ever as keyed hashes). */
export function AuditTable({ entries, caption, names }: Props) {
  return (
    <div className="table-wrap">
      <table className="audit-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">By</th>
            <th scope="col">On</th>
            <th scope="col">Result</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td className="num">{entry.seq}</td>
              <td className="nowrap">
                <Time iso={entry.at} />
              </td>
              <th scope="row">
                <code>{entry.action}</code>
              </th>
              <td>
                <Party type={entry.actor.type} id={entry.actor.id} names={names} />
              </td>
              <td>{entry.target ? <Party type={entry.target.type} id={entry.target.id} names={names} /> : '—'}</td>
              <td>
                <Badge tone={toneOf(entry.result)}>{entry.result}</Badge>
              </td>
              <td>
                <details>
                  <summary>
                    Show<span className="visually-hidden"> details of entry {entry.seq}</span>
                  </summary>
                  <dl className="audit-details">
                    <dt>Request</dt>
                    <dd className="mono">{entry.requestId ?? '—'}</dd>
                    <dt>Address</dt>
                    <dd className="mono">{entry.ip ?? '—'}</dd>
                  </dl>
                  <pre>{JSON.stringify(entry.details, null, 2)}</pre>
                </details>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
