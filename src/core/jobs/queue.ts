import type { Executor } from '../../db/database.js';
import { invalidInput } from '../../kernel/errors.js';
import { looksLikeId } from '../../kernel/ids.js';

/** A job's payload: ids and small plain values only. Secrets never travel in a job; the handler reads them. */
export type JobPayload = Readonly<Record<string, string | number | boolean | null>>;

export interface NewJob {
  readonly queue: string;
  readonly payload: JobPayload;
  readonly orgId?: string | null;
  readonly runAt?: Date;
  readonly maxAttempts?: number;
}

export interface JobView {
  readonly id: string;
  readonly queue: string;
  readonly orgId: string | null;
  readonly status: 'queued' | 'running' | 'done' | 'failed';
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface JobContext {
  readonly id: string;
  readonly queue: string;
  readonly payload: JobPayload;
  readonly orgId: string | null;
  readonly attempt: number;
  /** Aborted when the job's time limit passes or the worker stops. */
  readonly signal: AbortSignal;
}

export type JobHandler = (job: JobContext) => Promise<void>;

export interface HandlerOptions {
  /** Longest a run may take; also how long before another worker may take the job over. */
  readonly timeoutMs?: number;
  /** Jobs of this queue one process runs at once (default: the worker's shared limit). */
  readonly concurrency?: number;
}

/**
 * The job queue port. `enqueue` takes the executor of the transaction that causes the job, so the job exists
 * exactly when the change does. Implementations: the embedded runner (this folder) and, for clusters, a
 * PostgreSQL-backed one.
 */
export interface Queue {
  enqueue(exec: Executor, job: NewJob): Promise<string>;
  register(queue: string, handler: JobHandler, options?: HandlerOptions): void;
  start(): void;
  stop(): Promise<void>;
  list(filter: { status?: JobView['status']; orgId?: string; limit: number }): Promise<JobView[]>;
  get(id: string): Promise<JobView | undefined>;
}

const WORD = /^[a-z0-9][a-z0-9_.:-]{0,63}$/;

/** Refuses payload values that are not ids, numbers, booleans or short lower-case words. */
export function checkPayload(payload: JobPayload): void {
  for (const [key, value] of Object.entries(payload)) {
    if (value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) continue;
    if (typeof value === 'string' && (looksLikeId(value) || WORD.test(value))) continue;
    throw invalidInput(`Job payload field ${key} must be an id, a number, a boolean or a short word.`);
  }
}

/** Exponential backoff with full jitter: attempt 1 waits up to 2 s, then 4, 8 … capped at 5 minutes. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(300_000, 1000 * 2 ** attempt);
  return Math.floor(cap / 2 + random() * (cap / 2));
}
