import { useState, type ReactNode } from 'react';
import { TextField } from '../../../components/TextField';
import { SHOWN } from './format';

/** A long list with a filter box: only the first rows that match are drawn, and the count says so. */
export function Filtered<T>({
  label,
  rows,
  text,
  children,
}: {
  label: string;
  rows: readonly T[];
  text: (row: T) => string;
  children: (rows: readonly T[]) => ReactNode;
}) {
  const [needle, setNeedle] = useState('');
  const lower = needle.trim().toLowerCase();
  const matching = lower ? rows.filter((r) => text(r).toLowerCase().includes(lower)) : rows;
  return (
    <>
      <div className="filters" role="search" aria-label={`Filter ${label}`}>
        <TextField
          label={`Filter ${label}`}
          type="search"
          value={needle}
          onChange={(event) => setNeedle(event.target.value)}
          spellCheck={false}
        />
      </div>
      <p role="status" className="muted small">
        {matching.length === rows.length
          ? `${rows.length} ${label}`
          : `${matching.length} of ${rows.length} ${label} match`}
        {matching.length > SHOWN ? `; the first ${SHOWN} are shown, narrow the filter to see others.` : '.'}
      </p>
      {children(matching.slice(0, SHOWN))}
    </>
  );
}
