import type { ReactNode } from 'react';
import { Loading } from './Loading';
import { ErrorNotice } from './ErrorNotice';

/** What QueryState reads of a query (TanStack Query's result has it all). */
export interface QueryLike<T> {
  readonly isPending: boolean;
  readonly error: unknown;
  readonly data: T | undefined;
  refetch(): unknown;
}

interface Props<T> {
  readonly query: QueryLike<T>;
  /** What is loading, announced while the query is pending ("Loading backups"). */
  readonly loading: string;
  /** The title of the error when it failed ("Backups could not be loaded"); the notice offers Try again. */
  readonly failed: string;
  /** The data's view, once there is data (kept on screen while a refetch runs or fails). */
  readonly children?: (data: T) => ReactNode;
}

/** A query's three states in one place: loading, failed with a retry, and its data. */
export function QueryState<T>({ query, loading, failed, children }: Props<T>) {
  return (
    <>
      {query.isPending && <Loading label={loading} />}
      <ErrorNotice error={query.error} title={failed} onRetry={() => void query.refetch()} />
      {query.data !== undefined && children?.(query.data)}
    </>
  );
}
