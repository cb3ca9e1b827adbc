import type { ReactNode } from 'react';
import { QueryState, type QueryLike } from './QueryState';
import { SimpleTable, type SimpleTableProps } from './SimpleTable';

/** The table, as SimpleTable draws it, less its rows (they come from the query). */
type TableProps<T> = Omit<SimpleTableProps<T>, 'rows'>;

interface Texts {
  /** What is loading, announced while the query is pending ("Loading backups"). */
  readonly loading: string;
  /** The title of the error when it failed ("Backups could not be loaded"); the notice offers Try again. */
  readonly failed: string;
}

/** A query of rows: its data are the table's rows. */
type RowsProps<T> = TableProps<T> & Texts & { readonly query: QueryLike<readonly T[]>; readonly select?: undefined };

/** A query of anything: `select` picks (filters, sorts) the table's rows from its data. */
type SelectProps<T, D> = TableProps<T> &
  Texts & { readonly query: QueryLike<D>; readonly select: (data: D) => readonly T[] };

/**
 * A query's data as a table: loading, failed with a retry, then SimpleTable (or its `empty`) once there is data.
 * Put `select` before `columns` so that the columns' cells know the row type it returns.
 */
export function QueryTable<T>(props: RowsProps<T>): ReactNode;
export function QueryTable<T, D>(props: SelectProps<T, D>): ReactNode;
export function QueryTable<T, D>({ query, loading, failed, select, ...table }: RowsProps<T> | SelectProps<T, D>) {
  return (
    <QueryState<unknown> query={query} loading={loading} failed={failed}>
      {(data) => <SimpleTable {...table} rows={select ? select(data as D) : (data as readonly T[])} />}
    </QueryState>
  );
}
