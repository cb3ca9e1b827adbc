import type { Finding } from './model';

/** A finding's evidence as readable lines: each key with its value (lists and records as JSON). */
export function Evidence({ evidence }: { evidence: Finding['evidence'] }) {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return null;
  return (
    <dl className="evidence">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt className="visually-hidden">{k}</dt>
          <dd>
            {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
