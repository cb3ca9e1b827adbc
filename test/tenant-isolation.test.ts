import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../testkit/db.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { operationsOf, sampleOf } from '../testkit/openapi.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** Bodies that pass validation where a generated sample would not (so the request reaches the authorisation check). */
const BODY_OVERRIDES: Record<string, unknown> = { token: 'x'.repeat(43), value: 'some-secret-value', name: 'Intruder', role: 'owner', email: 'intruder@example.com', code: '123456', kind: 'password' };

describe.each(ENGINES)('tenant isolation (%s)', (engine) => {
  let s: TestSteward;
  let a: SignedUp;
  let b: SignedUp;
  const ids: Record<string, string> = {};

  async function snapshot() {
    const tables = ['orgs', 'memberships', 'invitations', 'credentials', 'api_tokens', 'servers'] as const;
    const out: Record<string, unknown> = {};
    for (const t of tables) out[t] = await s.core.db.selectFrom(t).selectAll().orderBy('id').execute();
    out.audit = (await s.core.db.selectFrom('audit_log').selectAll().where('org_id', '=', a.orgId).execute()).length;
    return out;
  }

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    a = await signUp(s.app, { orgName: 'Tenant A' });
    b = await signUp(s.app, { orgName: 'Tenant B' });
    const member = await signUp(s.app);
    const inv = await a.client.post(`/api/orgs/${a.orgId}/invitations`, { email: member.email, role: 'member' });
    await member.client.post('/api/invitations/accept', { token: inv.body.token });
    const openInv = await a.client.post(`/api/orgs/${a.orgId}/invitations`, { email: 'later@example.com', role: 'member' });
    const members = await a.client.get(`/api/orgs/${a.orgId}/members`);
    const cred = await a.client.post(`/api/orgs/${a.orgId}/credentials`, { kind: 'password', name: 'root', value: 'tenant-a-secret-value' });
    const token = await a.client.post('/api/me/tokens', { name: 'a-token' });
    const server = await a.client.post(`/api/orgs/${a.orgId}/servers`, { name: 'web-1', address: '192.0.2.10', password: 'first-login-password', trustFirstContact: true });
    expect(server.status).toBe(202);
    Object.assign(ids, {
      orgId: a.orgId,
      memberId: members.body.members.find((m: { userId: string }) => m.userId === member.userId).id,
      invitationId: openInv.body.id,
      credentialId: cred.body.id,
      tokenId: token.body.id,
      serverId: server.body.id,
    });
  });
  afterAll(() => s?.close());

  it('every route that takes an id answers 404 to another tenant and changes nothing', async () => {
    const doc = (await new TestClient(s.app).get('/api/openapi.json')).body;
    const ops = operationsOf(doc).filter((op) => op.params.length > 0);
    expect(ops.length).toBeGreaterThan(8);
    const before = await snapshot();
    const failures: string[] = [];
    for (const op of ops) {
      const missing = op.params.filter((p) => !(p in ids));
      if (missing.length > 0) {
        failures.push(`${op.method} ${op.path}: no seeded id for ${missing.join(', ')} (add one to this test)`);
        continue;
      }
      const url = op.path.replace(/\{(\w+)\}/g, (_, p: string) => ids[p]!);
      const body = op.bodySchema ? sampleOf(op.bodySchema, BODY_OVERRIDES) : op.method === 'GET' || op.method === 'DELETE' ? undefined : {};
      const res = await b.client.request(op.method, url, body);
      if (res.status !== 404) failures.push(`${op.method} ${op.path} → ${res.status} ${res.raw.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('the owner still sees everything (the ids were real)', async () => {
    expect((await a.client.get(`/api/orgs/${a.orgId}/credentials/${ids.credentialId}`)).status).toBe(200);
    expect((await a.client.get(`/api/orgs/${a.orgId}/members`)).body.members).toHaveLength(2);
  });
});
