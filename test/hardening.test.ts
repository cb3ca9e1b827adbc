/**
 * Smaller points a hostile review found: data files readable by others, /metrics open to anyone, names that hide
 * their own text, sign-in failures that locked the owner out, and an API token that could delete an organisation
 * on its own.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { staffSession } from '../testkit/staff.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const METRICS_TOKEN = 'metrics-token-for-prometheus-0123456789';
const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('data files are private', () => {
  it('the data folder is 0700 (also one that existed 0755) and the database, its log and the root key 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'steward-modes-'));
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    const s = await startTestSteward({ engine: 'sqlite', dataDir, env: { STEWARD_DATABASE_URL: '' } });
    try {
      await signUp(s.app);
      expect(modeOf(dataDir).toString(8)).toBe('700');
      for (const file of ['steward.db', 'steward.db-wal', 'steward.db-shm', 'root.key'])
        expect(modeOf(join(dataDir, file)).toString(8), file).toBe('600');
    } finally {
      await s.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe.each(ENGINES)('smaller points (%s)', (engine) => {
  const clock = new FakeClock(Date.now());
  let s: TestSteward;
  let owner: SignedUp;
  beforeAll(async () => {
    s = await startTestSteward({
      engine,
      clock,
      env: {
        STEWARD_METRICS_TOKEN: METRICS_TOKEN,
        STEWARD_SIGNIN_ATTEMPTS: '3',
        STEWARD_SIGNIN_MAX_DELAY_SECONDS: '300',
      },
    });
    owner = await signUp(s.app, { orgName: 'Plain Org' });
  });
  afterAll(() => s?.close());

  it('/metrics answers the operator’s token and admin staff, nobody else', async () => {
    const get = (client: TestClient) => client.get('/metrics');
    expect((await get(new TestClient(s.app))).status).toBe(401);
    expect((await get(owner.client)).status).toBe(403);
    expect((await get(new TestClient(s.app, { token: 'not-the-metrics-token-0123456789abcdef' }))).status).toBe(401);
    const byToken = await get(new TestClient(s.app, { token: METRICS_TOKEN }));
    expect(byToken.status).toBe(200);
    expect(byToken.raw).toMatch(/steward_http_requests_total/);
    const support = await staffSession(s, ['support']);
    expect((await get(support.client)).status).toBe(403);
    const admin = await staffSession(s, ['admin']);
    expect((await get(admin.client)).status).toBe(200);
  });

  it('names with text-direction overrides or zero-width characters are refused', async () => {
    for (const name of ['Acme\u202Eexe.pdf', 'Ac\u200Bme', 'Acme\u2066Ltd\u2069', 'Ac\uFEFFme', 'Ac\u200Dme']) {
      const renamed = await owner.client.patch(`/api/orgs/${owner.orgId}`, { name });
      expect(renamed.status, JSON.stringify(name)).toBe(400);
      expect(renamed.body.error.message).toMatch(/invisible characters .* text-direction overrides/);
      const server = await owner.client.post(`/api/orgs/${owner.orgId}/servers`, {
        name,
        address: 'web.invalid',
        password: 'first-login-password',
        trustFirstContact: true,
      });
      expect(server.status).toBe(400);
    }
    expect((await owner.client.get(`/api/orgs/${owner.orgId}`)).body.name).toBe('Plain Org');
    // Letters of any script, accents and emoji are names like any other.
    expect((await owner.client.patch(`/api/orgs/${owner.orgId}`, { name: 'Zoë & 東京 Ltd 🚀' })).status).toBe(200);
  });

  it('each failed sign-in past the free ones doubles the attacker’s wait; the owner elsewhere is not held up', async () => {
    const victim = await signUp(s.app);
    const attacker = new TestClient(s.app, { from: '198.51.100.23' });
    const attempt = (password: string) => attacker.post('/api/auth/signin', { email: victim.email, password });
    for (let i = 0; i < 3; i++) expect((await attempt(`wrong guess ${i}`)).status).toBe(401);
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const held = await attempt('another wrong guess');
      expect(held.status).toBe(429);
      const wait = Number(held.headers['retry-after']);
      waits.push(wait);
      clock.advance(wait * 1000);
      expect((await attempt(`wrong guess after waiting ${round}`)).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    const ownerIn = await new TestClient(s.app, { from: '203.0.113.40' }).post('/api/auth/signin', {
      email: victim.email,
      password: victim.password,
    });
    expect(ownerIn.status, ownerIn.raw).toBe(200);
  });

  it('an API token alone cannot delete an organisation; the owner’s password or a fresh code can', async () => {
    const doomed = await signUp(s.app, { orgName: 'Doomed Ltd' });
    const token = (await doomed.client.post('/api/me/tokens', { name: 'ci' })).body.token as string;
    const byToken = new TestClient(s.app, { token });
    const url = `/api/orgs/${doomed.orgId}/deletion`;
    const alone = await byToken.post(url, { confirm: 'Doomed Ltd' });
    expect(alone.status).toBe(403);
    expect(alone.body.error.code).toBe('STEWARD_REAUTHENTICATION_REQUIRED');
    expect((await byToken.post(url, { confirm: 'Doomed Ltd', password: 'not my password at all' })).status).toBe(403);
    expect((await byToken.post(url, { confirm: 'Doomed Ltd', totpCode: '123456' })).status).toBe(403);
    expect((await doomed.client.get(`/api/orgs/${doomed.orgId}`)).status).toBe(200);
    const deleted = await byToken.post(url, { confirm: 'Doomed Ltd', password: doomed.password });
    expect(deleted.status, deleted.raw).toBe(202);
    expect((await doomed.client.get(`/api/orgs/${doomed.orgId}`)).status).toBe(404);
  });
});
