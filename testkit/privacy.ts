import type { StaffRole } from '../src/core/actor.js';
import type { TestClient } from './client.js';
import { staffSession } from './staff.js';
import type { TestSteward } from './steward.js';
import { until } from './wait.js';

/** A signed-in staff member with the given roles and a second factor, through the API (for the privacy tests). */
export async function staffMember(
  s: TestSteward,
  roles: readonly StaffRole[],
): Promise<{ client: TestClient; userId: string; email: string }> {
  const { client, userId, email } = await staffSession(s, roles);
  return { client, userId, email };
}

/** Waits until no mail is waiting to be sent and no job is queued or running. */
export async function settled(s: TestSteward, ms = 30_000): Promise<void> {
  await until(
    'mail and jobs to settle',
    async () => {
      const mail = await s.core.db.selectFrom('outbox').select('id').where('status', '=', 'queued').execute();
      const queued = await s.core.queue.list({ status: 'queued', limit: 1 });
      const running = await s.core.queue.list({ status: 'running', limit: 1 });
      return mail.length === 0 && queued.length === 0 && running.length === 0 ? true : undefined;
    },
    { timeoutMs: ms, everyMs: 50 },
  );
}

/**
 * What a backup would hold: on SQLite every file of the database (main file and write-ahead log, raw bytes, so
 * deleted-but-not-overwritten pages count too); on PostgreSQL a `pg_dump` of the test schema.
 */
export async function dumpDatabase(s: TestSteward): Promise<string> {
  const { readdirSync, readFileSync } = await import('node:fs');
  const { dirname, join } = await import('node:path');
  if (s.db.engine === 'sqlite') {
    const dir = dirname(s.db.location);
    return readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
  }
  const { execFileSync } = await import('node:child_process');
  const { PG_URL } = await import('./db.js');
  const url = new URL(PG_URL);
  return execFileSync(
    'pg_dump',
    [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      url.username || 'postgres',
      '--data-only',
      '-n',
      s.db.location,
      url.pathname.slice(1),
    ],
    { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 },
  );
}
