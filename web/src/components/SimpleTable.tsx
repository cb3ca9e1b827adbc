import type { ReactNode } from 'react';

export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
  /** The column that names the row (a row header for screen readers). */
  readonly rowHeader?: boolean;
  readonly className?: string;
  /** The header is for screen readers only (an actions column, say). */
  readonly headerHidden?: boolean;
}

export interface SimpleTableProps<T> {
  caption: string;
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  /** Shown instead of the table when there are no rows: words (shown muted) or an element of its own. */
  empty: ReactNode;
}

/** A read-only table of records with a (visually hidden) caption and a row header. */
export function SimpleTable<T>({ caption, columns, rows, rowKey, empty }: SimpleTableProps<T>) {
  if (rows.length === 0) return typeof empty === 'string' ? <p className="muted">{empty}</p> : empty;
  return (
    <div className="table-wrap">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.header} scope="col">
                {c.headerHidden ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)}>
              {columns.map((c) =>
                c.rowHeader ? (
                  <th key={c.header} scope="row" className={c.className}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.header} className={c.className}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
