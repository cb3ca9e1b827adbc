/**
 * Retrying work that failed only because the database was busy: a serialization failure or deadlock on
 * PostgreSQL, a lock or statement timeout, SQLite's busy and locked answers, a dropped connection, or an action
 * refused because its audit row could not be written in time for one of those reasons. Each retry waits longer
 * (with jitter, so workers that collided do not collide again) until a time budget is spent; then the last error
 * is thrown. The work must be a whole transaction (or idempotent), since it runs again from the start.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isAppError } from '../kernel/errors.js';

const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown (a restarted server)
  '08000',
  '08003',
  '08006', // connection failures
  'ECONNRESET',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
]);

/** True when `err` (or what it wraps) says "busy, try again", not "wrong". */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (isAppError(e)) {
      if (e.code !== 'STEWARD_AUDIT_UNAVAILABLE' && e.code !== 'STEWARD_DATABASE_UNAVAILABLE') return false;
      continue;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
    if (e instanceof Error && /timed out|Connection terminated/i.test(e.message)) return true;
  }
  return false;
}

export interface RetryOptions {
  /** Total time for all tries, from the first. */
  readonly budgetMs?: number;
  /** Told of each retry (what failed, which try comes next). */
  readonly onRetry?: (err: unknown, attempt: number) => void;
}

/** Runs `work`, again after a transient failure, until it succeeds or the budget is spent. */
export async function retryTransient<T>(work: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const budget = options.budgetMs ?? 15_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      const wait = Math.min(2_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      if (!isTransient(err) || Date.now() - started + wait > budget) throw err;
      options.onRetry?.(err, attempt + 1);
      await delay(wait);
    }
  }
}
