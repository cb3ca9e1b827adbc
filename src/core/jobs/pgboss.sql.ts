/**
 * The SQL Steward adds to pg-boss (10.x), and the bridge that lets pg-boss run on Steward's connections. pg-boss
 * owns its tables; the statements here only read them (job views) or touch rows this worker holds: renewing a
 * lease (`expire_in`, so only a dead worker's jobs expire) and handing a job back without spending an attempt
 * (the attempt is given back by raising `retry_limit`, as pg-boss's own `retry()` does). Every write is fenced on
 * the job's `retry_count` as fetched, which pg-boss bumps on each new start, so a worker can only ever touch the
 * start it owns.
 */
import { CompiledQuery } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { JobPayload, JobView } from './queue.js';

/** pg-boss's database port, over a Kysely executor: the shared pool, or the caller's open transaction. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function bossDb(exec: Executor): BossDb {
  return {
    async executeSql(text, values) {
      const query = CompiledQuery.raw(text, values ?? []);
      // pg-boss sends its locked maintenance as one `BEGIN; …; COMMIT` string. If it fails half-way the connection
      // is left inside an aborted transaction, so roll it back before the pool hands the connection to anyone else.
      if (!exec.isTransaction && /^\s*BEGIN\b/i.test(text)) {
        return exec.connection().execute(async (conn) => {
          try {
            return { rows: (await conn.executeQuery(query)).rows ?? [] };
          } catch (err) {
            await conn.executeQuery(CompiledQuery.raw('ROLLBACK')).catch(() => undefined);
            throw err;
          }
        });
      }
      return { rows: (await exec.executeQuery(query)).rows ?? [] };
    },
  };
}

/** What Steward keeps in a pg-boss job's `data`: ids and small values only (checked before enqueueing). */
export interface BossData {
  readonly payload: JobPayload;
  readonly orgId: string | null;
  readonly maxAttempts: number;
}

/** A job row as the views read it. */
export interface BossRow {
  readonly id: string;
  readonly name: string;
  readonly data: BossData | null;
  readonly state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  readonly retry_count: number;
  readonly retry_limit: number;
  readonly started_on: Date | null;
  readonly start_after: Date;
  readonly created_on: Date;
  readonly completed_on: Date | null;
  readonly output: { message?: unknown } | null;
}

const COLUMNS =
  'id::text AS id, name, data, state::text AS state, retry_count, retry_limit, started_on, start_after, created_on, completed_on, output';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATES: Record<JobView['status'], string[]> = {
  queued: ['created', 'retry'],
  running: ['active'],
  done: ['completed'],
  failed: ['failed', 'cancelled'],
};

/**
 * Attempts of a job: pg-boss counts a start by raising `retry_count` when it fetches a job that was started before
 * (`started_on` set). A hand-back clears `started_on`, so the next fetch is not counted and the retry delay, which
 * grows with `retry_count`, only grows with real failures.
 */
export function attemptsOf(row: { retryCount: number; started: boolean }): number {
  return row.started ? row.retryCount + 1 : row.retryCount;
}

export function viewOf(row: BossRow): JobView {
  const maxAttempts = row.data?.maxAttempts ?? row.retry_limit + 1;
  const status =
    row.state === 'active'
      ? 'running'
      : row.state === 'completed'
        ? 'done'
        : row.state === 'created' || row.state === 'retry'
          ? 'queued'
          : 'failed';
  const message = row.output?.message;
  return {
    id: row.id,
    queue: row.name,
    orgId: row.data?.orgId ?? null,
    status,
    attempts: attemptsOf({ retryCount: row.retry_count, started: row.started_on !== null }),
    maxAttempts,
    runAt: row.start_after.toISOString(),
    lastError: status === 'done' || typeof message !== 'string' ? null : message.slice(0, 500),
    createdAt: row.created_on.toISOString(),
    finishedAt: status === 'done' || status === 'failed' ? (row.completed_on?.toISOString() ?? null) : null,
  };
}

export function bossSql(schema: string) {
  const both = `(SELECT ${COLUMNS} FROM ${schema}.job UNION ALL SELECT ${COLUMNS} FROM ${schema}.archive) j`;
  return {
    /** Queues among `$1` with a job due now (one cheap query per poll instead of one fetch per queue). */
    due: `SELECT DISTINCT name FROM ${schema}.job WHERE name = ANY($1::text[]) AND state < 'active' AND start_after < now()`,
    /** Renews the leases of the starts this worker holds; returns those still held. */
    renew: `UPDATE ${schema}.job SET expire_in = (now() - started_on) + $3::int * interval '1 millisecond'
      WHERE name = $1 AND state = 'active' AND (id, retry_count) IN (SELECT * FROM unnest($2::uuid[], $4::int[]))
      RETURNING id::text AS id`,
    /**
     * Jobs whose lease lapsed (their worker died) go back to the queue at once while they have attempts left (the
     * worker did not fail them, so no retry delay applies); exhausted ones are left to pg-boss's expiry, which fails
     * them.
     */
    expire: `UPDATE ${schema}.job SET state = 'retry', start_after = now(), output = '{"value":{"message":"lease expired: the worker stopped renewing it"}}'::jsonb
      WHERE state = 'active' AND (started_on + expire_in) < now() AND retry_count < retry_limit`,
    /** Back to the queue after `$3` ms without spending an attempt; `$5` lowers its priority so other work goes first. */
    handBack: `UPDATE ${schema}.job SET state = 'retry', start_after = now() + $3::int * interval '1 millisecond', started_on = NULL, priority = priority - $5::int
      WHERE name = $1 AND id = $2::uuid AND state = 'active' AND retry_count = $4`,
    /** Live jobs by Steward's status names (archived ones are not counted). */
    counts: `SELECT CASE WHEN state IN ('created', 'retry') THEN 'queued' WHEN state = 'active' THEN 'running' WHEN state = 'completed' THEN 'done' ELSE 'failed' END AS status,
      count(*)::int AS n FROM ${schema}.job WHERE name NOT LIKE '\\_\\_pgboss%' GROUP BY 1`,
    list(filter: { status?: JobView['status']; orgId?: string; limit: number }): { text: string; values: unknown[] } {
      const where = [`j.name NOT LIKE '\\_\\_pgboss%'`];
      const values: unknown[] = [];
      if (filter.orgId) where.push(`j.data->>'orgId' = $${values.push(filter.orgId)}`);
      if (filter.status) where.push(`j.state = ANY($${values.push(STATES[filter.status])}::text[])`);
      return {
        text: `SELECT * FROM ${both} WHERE ${where.join(' AND ')} ORDER BY j.created_on DESC LIMIT $${values.push(filter.limit)}`,
        values,
      };
    },
    get(id: string): { text: string; values: unknown[] } | undefined {
      if (!UUID.test(id)) return undefined;
      const one = (table: string) => `SELECT ${COLUMNS} FROM ${schema}.${table} WHERE id = $1::uuid`;
      return { text: `${one('job')} UNION ALL ${one('archive')} LIMIT 1`, values: [id.toLowerCase()] };
    },
  };
}

export type BossSql = ReturnType<typeof bossSql>;
