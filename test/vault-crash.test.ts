import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../src/crypto/envelope.js';
import { Secret } from '../src/kernel/secret.js';
import { sleep } from '../src/kernel/clock.js';
import { runCli, spawnCli } from '../testkit/cli.js';
import { ENGINES, createTestDatabase, rawQuery, type TestDatabase } from '../testkit/db.js';
import { signUp } from '../testkit/client.js';
import { startTestSteward, TEST_ENV } from '../testkit/steward.js';

const ORGS = 8;
const PER_ORG = 100;
const KILLS = 8;

describe.each(ENGINES)('key rotation survives kill -9 at any point (%s)', (engine) => {
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  const expected = new Map<string, { orgId: string; value: string }>();
  const people: { email: string; password: string }[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), 'steward-crash-'));
    env = { ...TEST_ENV, STEWARD_LOG_LEVEL: 'warn', STEWARD_DATA_DIR: dataDir, ...db.env };
    const s = await startTestSteward({ engine, db, dataDir });
    for (let o = 0; o < ORGS; o++) {
      const a = await signUp(s.app);
      people.push({ email: a.email, password: a.password });
      for (let i = 0; i < PER_ORG; i++) {
        const value = `secret-${o}-${i}-${Math.random().toString(36).slice(2)}`;
        const actor = (await s.core.sessions.authenticateSession(a.client.auth.cookie!.split('=')[1]!))!;
        const c = await s.core.credentials.sealCredential(
          actor,
          a.orgId,
          { kind: 'password', name: `c${i}`, value: new Secret(value) },
          {},
        );
        expected.set(c.id, { orgId: a.orgId, value });
      }
    }
    await s.close();
  }, 300_000);

  afterAll(async () => {
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('kills rotations at random points, resumes, and every secret opens to its value', async () => {
    // 1. Time one start-up and one whole rotation, so kills land across the rotation, not only before it.
    const t0 = Date.now();
    const probe = await runCli(['keys', 'rotate', '--resume'], env);
    expect(probe.code, probe.stderr).toBe(0);
    const startup = Date.now() - t0;
    const t1 = Date.now();
    const whole = await runCli(['keys', 'rotate', '--root'], env);
    expect(whole.code, whole.stderr).toBe(0);
    const rotation = Math.max(50, Date.now() - t1 - startup);

    // 2. Start rotations of both kinds and kill each at a random moment: the first half at a time drawn from the
    //    measured start-up and rotation (before, during or after it), the second half at a random point once the
    //    rotation is seen running (start-up times vary too much on a loaded machine for timing alone to land there).
    const runningRotations = async () =>
      Number((await rawQuery(db, "select count(*) as n from vault_rotations where status = 'running'"))[0]!.n);
    let interrupted = 0;
    for (let k = 0; k < KILLS; k++) {
      const args = k % 2 === 0 ? ['keys', 'rotate', '--root'] : ['keys', 'rotate'];
      const child = spawnCli(args, env);
      let done = false;
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve())).then(() => void (done = true));
      if (k < KILLS / 2) await Promise.race([sleep(Math.floor(startup * 0.9 + Math.random() * rotation)), exited]);
      else {
        while (!done && (await runningRotations()) === 0) await sleep(5);
        await Promise.race([sleep(Math.floor((Math.random() * rotation) / 3)), exited]);
      }
      child.kill('SIGKILL');
      await exited;
      if ((await runningRotations()) > 0) interrupted++;
    }
    // The test proves something only if some kills really landed mid-rotation.
    expect(interrupted).toBeGreaterThan(0);

    // 3. Restart and let any interrupted rotation finish.
    const resume = await runCli(['keys', 'rotate', '--resume'], env);
    expect(resume.code, resume.stderr).toBe(0);

    // 4. Every secret opens to exactly its value; nothing is left mid-rotation.
    const s = await startTestSteward({ engine, db, dataDir });
    try {
      const running = await s.core.db
        .selectFrom('vault_rotations')
        .selectAll()
        .where('status', '=', 'running')
        .execute();
      expect(running).toEqual([]);
      const roots = await s.core.db
        .selectFrom('vault_data_keys')
        .select('root_version')
        .where('state', '!=', 'destroyed')
        .groupBy('root_version')
        .execute();
      expect(roots).toHaveLength(1);
      for (const [id, { orgId, value }] of expected) {
        expect((await s.core.credentials.openCredential(orgId, id)).reveal()).toBe(value);
      }
      const active = new Map(
        (await s.core.db.selectFrom('vault_data_keys').selectAll().where('state', '=', 'active').execute()).map((k) => [
          k.scope,
          k.version,
        ]),
      );
      const rows = await s.core.db.selectFrom('credentials').select(['org_id', 'value_sealed']).execute();
      const stale = rows.filter((r) => decodeEnvelope(r.value_sealed).readUInt32BE(1) !== active.get(r.org_id));
      expect(stale).toEqual([]);
      // People can still sign in (their sealed e-mail and the blind index survived).
      const { TestClient } = await import('../testkit/client.js');
      for (const p of people.slice(0, 2))
        expect((await new TestClient(s.app).post('/api/auth/signin', p)).status).toBe(200);
      const verify = await s.core.audit.verify();
      expect(verify.broken).toBeUndefined();
    } finally {
      await s.close();
    }
    // 5. A rotation run to the end after all that also succeeds.
    const full = await runCli(['keys', 'rotate', '--root'], env);
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toMatch(/Root key rotated/);
  }, 600_000);
});
