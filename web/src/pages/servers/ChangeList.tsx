import type { Change } from '../../api/types';
import { Badge } from '../../components/Badge';

const ACTION = {
  added: { label: 'Added', tone: 'ok' },
  removed: { label: 'Removed', tone: 'neutral' },
  changed: { label: 'Changed', tone: 'info' },
} as const;

/** What one discovery run found different from the run before; changes worth a look come first and say so. */
export function ChangeList({ changes }: { changes: readonly Change[] }) {
  const ordered = [...changes].sort((a, b) => Number(b.attention) - Number(a.attention));
  return (
    <ul className="change-list">
      {ordered.map((c) => (
        <li key={`${c.category}/${c.action}/${c.id}`} className={c.attention ? 'attention' : undefined}>
          <Badge tone={ACTION[c.action].tone}>{ACTION[c.action].label}</Badge>
          {c.attention && <Badge tone="warn">Worth a look</Badge>}
          <span className="change-summary">{c.summary}</span>
          <span className="muted small"> ({c.category})</span>
          {c.action === 'changed' && (c.before || c.after) && (
            <span className="change-values small">
              <span className="mono">{c.before ?? '—'}</span> <span aria-hidden="true">→</span>
              <span className="visually-hidden">became</span> <span className="mono">{c.after ?? '—'}</span>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
