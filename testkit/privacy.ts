import type { StaffRole } from '../src/core/actor.js';
import { totpAt, totpStep } from '../src/crypto/totp.js';
import { sleep } from '../src/kernel/clock.js';
import { Secret } from '../src/kernel/secret.js';
import { TestClient } from './client.js';
import type { TestSteward } from './steward.js';

let counter = 0;

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** A signed-in staff member with the given roles and a second factor, through the API (for the privacy tests). */
export async function staffMember(s: TestSteward, roles: readonly StaffRole[]): Promise<{ client: TestClient; userId: string; email: string }> {
  counter += 1;
  const email = `privacy-staff${counter}-${Date.now()}@example.com`;
  const password = `staff password ${counter}-${Math.random().toString(36).slice(2)}`;
  const userId = await s.core.users.createStaff({ email, password: new Secret(password), name: `Staff ${counter}`, roles: [...roles] }, { type: 'system' }, {});
  const signin = await new TestClient(s.app).post('/api/auth/signin', { email, password });
  if (signin.status !== 200) throw new Error(`staff sign-in failed: ${signin.raw}`);
  const client = new TestClient(s.app, { cookie: String(signin.headers['set-cookie']).split(';')[0], csrf: signin.body.csrfToken });
  const enrol = await client.post('/api/me/totp/enrol');
  const confirm = await client.post('/api/me/totp/confirm', { code: totpAt(base32Decode(enrol.body.secret), totpStep(Date.now())) });
  if (confirm.status !== 204) throw new Error(`staff TOTP enrolment failed: ${confirm.raw}`);
  return { client, userId, email };
}

/** Polls until `fn` gives a value (not undefined), or fails naming what it waited for. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until no mail is waiting to be sent and no job is queued or running. */
export async function settled(s: TestSteward, ms = 30_000): Promise<void> {
  await until('mail and jobs to settle', async () => {
    const mail = await s.core.db.selectFrom('outbox').select('id').where('status', '=', 'queued').execute();
    const queued = await s.core.queue.list({ status: 'queued', limit: 1 });
    const running = await s.core.queue.list({ status: 'running', limit: 1 });
    return mail.length === 0 && queued.length === 0 && running.length === 0 ? true : undefined;
  }, ms);
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
    return readdirSync(dir).map((f) => readFileSync(join(dir, f)).toString('latin1')).join('\n');
  }
  const { execFileSync } = await import('node:child_process');
  const { PG_URL } = await import('./db.js');
  const url = new URL(PG_URL);
  return execFileSync('pg_dump', ['-h', url.hostname, '-p', url.port || '5432', '-U', url.username || 'postgres', '--data-only', '-n', s.db.location, url.pathname.slice(1)], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
}
