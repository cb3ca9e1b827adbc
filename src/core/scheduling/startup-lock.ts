import { sql } from 'kysely';
import type { DatabaseHandle } from '../../db/database.js';
import { sleep } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';

const WAIT_MS = 10 * 60_000;

/**
 * Runs `fn` while holding a PostgreSQL advisory lock named after the current schema, so nodes starting together
 * take turns at first-start work: creating the vault's keys, finishing an interrupted key rotation, installing
 * the job queue. On SQLite (one node) it just runs `fn`. The lock is polled rather than waited on, so the pool's
 * statement timeout never cuts a long wait short.
 */
export async function withStartupLock<T>(database: DatabaseHandle, fn: () => Promise<T>): Promise<T> {
  if (database.engine !== 'postgres') return fn();
  return database.db.connection().execute(async (conn) => {
    const key = sql`hashtext('steward.start.' || current_schema())`;
    const end = Date.now() + WAIT_MS;
    while (!(await sql<{ ok: boolean }>`SELECT pg_try_advisory_lock(${key}) AS ok`.execute(conn)).rows[0]?.ok) {
      if (Date.now() > end)
        throw new AppError(
          'STEWARD_DATABASE_UNAVAILABLE',
          'Another Steward node has held the start-up lock for 10 minutes; is one stuck starting?',
        );
      await sleep(200);
    }
    try {
      return await fn();
    } finally {
      await sql`SELECT pg_advisory_unlock(${key})`.execute(conn).catch(() => undefined);
    }
  });
}
