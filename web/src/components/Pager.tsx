import { useState } from 'react';
import { Button } from './Button';

/**
 * Paging by cursor, as the audit API pages (`before` a sequence number): a stack of cursors, so "Newer" goes
 * back exactly one page.
 */
export function useCursorPager() {
  const [cursors, setCursors] = useState<number[]>([]);
  return {
    before: cursors.at(-1),
    page: cursors.length + 1,
    older: (cursor: number) => setCursors((c) => [...c, cursor]),
    newer: () => setCursors((c) => c.slice(0, -1)),
    reset: () => setCursors([]),
  };
}

interface Props {
  page: number;
  hasOlder: boolean;
  onOlder: () => void;
  onNewer: () => void;
  busy: boolean;
}

export function Pager({ page, hasOlder, onOlder, onNewer, busy }: Props) {
  return (
    <nav className="pager" aria-label="Pages">
      <Button onClick={onNewer} disabled={page === 1 || busy}>
        ← Newer
      </Button>
      <span aria-live="polite">Page {page}</span>
      <Button onClick={onOlder} disabled={!hasOlder || busy}>
        Older →
      </Button>
    </nav>
  );
}
