/**
 * No answer and no customer-visible field carries Steward's own paths, host names or stacks (ASVS 16.5.1): a
 * failure inside Steward answers with its code's summary and is described in full only in the operator's log,
 * and what is stored for customers to read (a server's status reason) is worded the same way.
 */
import { mkdtempSync, renameSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../testkit/db.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe.each(ENGINES)('internal details stay inside (%s)', (engine) => {
  let db: TestDatabase;
  let dataDir: string;
  let owner: SignedUp;
  let serverId: string;
  let running: TestSteward | undefined;

  const start = async () => (running = await startTestSteward({ engine, db, dataDir }));
  const stop = async () => {
    await running?.close();
    running = undefined;
  };
  // The host name is matched as a whole word: a short one (say "vm") also occurs inside random request ids.
  const hostName = hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const hostWord = new RegExp(`(^|[^A-Za-z0-9_-])${hostName}($|[^A-Za-z0-9_-])`);
  const leaks = (text: string): string[] => [
    ...[dataDir, 'root.key', '    at ', '/tmp/', '/work/'].filter((needle) => text.includes(needle)),
    ...(hostWord.test(text) ? [hostname()] : []),
  ];

  beforeAll(async () => {
    db = await createTestDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), 'steward-details-'));
    const s = await start();
    owner = await signUp(s.app);
    serverId = (
      await owner.client.post(`/api/orgs/${owner.orgId}/servers`, {
        name: 'web',
        address: 'web.invalid',
        password: 'first-login-password',
        trustFirstContact: true,
      })
    ).body.id;
    await stop();
    // The operator's root key goes missing: Steward starts sealed.
    renameSync(join(dataDir, 'root.key'), join(dataDir, 'root.key.away'));
  });
  afterAll(async () => {
    await stop();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a sealed vault answers 503 with the code’s summary, not the key file’s path', async () => {
    const s = await start();
    expect(s.core.vault.isSealed()).toBe(true);
    const res = await new TestClient(s.app).post('/api/auth/signup', {
      email: `anyone-${Date.now()}@example.com`,
      password: 'copper lantern orbit meadow',
      name: 'Anyone',
      orgName: 'Anything',
    });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('STEWARD_SEALED');
    expect(leaks(res.raw)).toEqual([]);
    // The operator's log still says exactly what is wrong.
    expect(s.logs.some((line) => line.includes(join(dataDir, 'root.key')))).toBe(true);

    // An enrolment that runs meanwhile fails on the sealed vault (and cannot audit that, so the job fails too);
    // what it stores for the customer names no path.
    const enrolment = s.core.servers.enrol(
      {
        id: 'job_test',
        queue: 'servers.enrol',
        payload: { serverId, instructionType: 'user_action', instructionId: null, instructionActor: owner.userId },
        orgId: owner.orgId,
        attempt: 4,
        signal: new AbortController().signal,
        worker: 'test',
      },
      s.core.orgKeys.publicKey,
    );
    await expect(enrolment).rejects.toMatchObject({ code: 'STEWARD_SEALED' });
    await stop();
  });

  it('with the key back, the server’s status reason still names nothing of Steward’s machine', async () => {
    renameSync(join(dataDir, 'root.key.away'), join(dataDir, 'root.key'));
    const s = await start();
    expect(s.core.vault.isSealed()).toBe(false);
    const signedIn = await new TestClient(s.app).post('/api/auth/signin', {
      email: owner.email,
      password: owner.password,
    });
    const client = new TestClient(s.app, {
      cookie: String(signedIn.headers['set-cookie']).split(';')[0],
      csrf: signedIn.body.csrfToken,
    });
    const server = await client.get(`/api/orgs/${owner.orgId}/servers/${serverId}`);
    expect(server.body.status).toBe('enrol_failed');
    expect(server.body.statusReason).toMatch(/vault is sealed/);
    expect(leaks(server.raw)).toEqual([]);
  });
});
