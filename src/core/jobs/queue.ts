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
  /** Aborted when the job's time limit passes or the worker stops (reason `WorkerStopping`) or loses the job (`LeaseLost`). */
  readonly signal: AbortSignal;
  /** The process running this attempt (`host:pid:random`); with `attempt` it names this attempt uniquely. */
  readonly worker: string;
}

export type JobHandler = (job: JobContext) => Promise<void>;

export interface HandlerOptions {
  /** Longest a run may take; also how long before another worker may take the job over. */
  readonly timeoutMs?: number;
  /** Jobs of this queue one process runs at once (default: the worker's shared limit). */
  readonly concurrency?: number;
  /**
   * Caps shared with other jobs across every worker on the database (an organisation, a server). A job whose
   * caps are all taken goes back to the queue for a moment, its attempt not counted.
   */
  readonly limits?: (job: Pick<JobContext, 'queue' | 'payload' | 'orgId'>) => readonly JobLimit[];
}

/**
 * At most `max` jobs holding `key` run at once, cluster-wide. An exclusive holder takes every slot of the key, and
 * only when no other job holds one: it runs alone among the jobs sharing the key (a readers-writer lock).
 */
export interface JobLimit {
  readonly key: string;
  readonly max: number;
  readonly exclusive?: boolean;
}

/**
 * The reason a job's signal is aborted when its worker shuts down. A handler that can resume its work elsewhere
 * rethrows it (or lets it through): the job goes back to the queue without counting an attempt.
 */
export class WorkerStopping extends Error {
  constructor() {
    super('the worker is stopping; the job goes back to the queue');
  }
}

/** The worker could no longer renew the job's lease (the database was unreachable too long); another worker may hold it now. */
export class LeaseLost extends Error {
  constructor() {
    super('the job lease was lost; another worker may be running it');
  }
}

/**
 * The job queue port. `enqueue` takes the executor of the transaction that causes the job, so the job exists
 * exactly when the change does. Implementations: the embedded runner over the `jobs` table (SQLite, one node)
 * and pg-boss (PostgreSQL, any number of nodes). Both hold a running job under a lease its worker renews; a job
 * whose worker died is taken over by another once the lease lapses.
 */
export interface Queue {
  /** `embedded` or `pg-boss`, for logs and health. */
  readonly implementation: 'embedded' | 'pg-boss';
  enqueue(exec: Executor, job: NewJob): Promise<string>;
  register(queue: string, handler: JobHandler, options?: HandlerOptions): void;
  /** Makes enqueueing possible (pg-boss: installs its schema, creates the registered queues). Every role calls it. */
  prepare(): Promise<void>;
  /** Starts running jobs (the worker role). */
  start(): void;
  /** Stops taking jobs; running ones get `graceMs` to finish, then are aborted with `WorkerStopping`. */
  stop(options?: { graceMs?: number }): Promise<void>;
  list(filter: { status?: JobView['status']; orgId?: string; limit: number }): Promise<JobView[]>;
  get(id: string): Promise<JobView | undefined>;
  /** Jobs by status, for the operator's metrics (finished jobs count until the queue archives them). */
  counts(): Promise<Partial<Record<JobView['status'], number>>>;
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
