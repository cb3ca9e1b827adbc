import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { insertReadyServers } from '../testkit/servers.js';
import { confirmationLink, startTestSteward, type TestSteward } from '../testkit/steward.js';
import { staffMember, type StaffMember } from './access-kit.js';

const MINUTE = 60_000;

interface ReviewItem {
  orgId: string;
  signal: string;
  summary: string;
  details: Record<string, unknown>;
}

describe.each(ENGINES)('fraud and abuse: review queue, suspension and reinstatement (%s)', (engine) => {
  const clock = new FakeClock(Date.UTC(2026, 5, 1, 8));
  let s: TestSteward;
  let security: StaffMember;
  let owner: SignedUp;
  let member: SignedUp;
  let servers: string[];

  const runsOf = async () =>
    (await s.core.db.selectFrom('task_runs').select(['id', 'kind']).where('org_id', '=', owner.orgId).execute()).length;
  const schedules = () =>
    s.core.db
      .selectFrom('discovery_schedules')
      .select(['server_id', 'interval_minutes', 'set_by'])
      .where('org_id', '=', owner.orgId)
      .orderBy('server_id')
      .execute();
  const targets = () =>
    s.core.db
      .selectFrom('monitoring_targets')
      .select(['server_id', 'enabled', 'interval_seconds', 'set_by', 'last_sample_at'])
      .where('org_id', '=', owner.orgId)
      .execute();

  beforeAll(async () => {
    s = await startTestSteward({ engine, clock });
    const sec = await staffMember(s, ['security']);
    // API tokens, not sessions: the clock runs through hours here.
    security = { ...sec, client: new TestClient(s.app, { token: sec.token }) };
    const o = await signUp(s.app, { name: 'Olga Owner', orgName: 'Suspicious Shop' });
    owner = {
      ...o,
      client: new TestClient(s.app, { token: (await o.client.post('/api/me/tokens', { name: 't' })).body.token }),
    };
    const m = await signUp(s.app, { name: 'Max Member' });
    const inv = await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, { email: m.email, role: 'member' });
    await m.client.post('/api/invitations/accept', { token: inv.body.token });
    member = {
      ...m,
      client: new TestClient(s.app, { token: (await m.client.post('/api/me/tokens', { name: 't' })).body.token }),
    };
    servers = await insertReadyServers(s, owner.orgId, owner.userId, 2);
    for (const id of servers) {
      const sched = await owner.client.put(`/api/orgs/${owner.orgId}/servers/${id}/discovery-schedule`, {
        everyMinutes: 60,
      });
      expect(sched.status).toBe(200);
    }
    expect(
      (await owner.client.put(`/api/orgs/${owner.orgId}/servers/${servers[0]}/monitoring`, { intervalSeconds: 60 }))
        .status,
    ).toBe(200);
  }, 60_000);
  afterAll(() => s?.close());

  it('runs the schedules while the organisation is in good standing', async () => {
    clock.advance(61 * MINUTE);
    expect(await s.core.discovery.runDueSchedules()).toBe(2);
    expect(await runsOf()).toBe(2);
  });

  it('raises organisations created from one address for review, once', async () => {
    const ip = '203.0.113.77';
    const orgs: string[] = [];
    for (let i = 0; i < 3; i++) {
      // 1. Ask to sign up from the one address; 2. follow the mailed link from it, which creates the organisation.
      const email = `farm${i}-${Date.now()}@example.com`;
      const asked = await s.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        remoteAddress: ip,
        payload: { email, password: `Farm-password-${i}-long-enough`, name: `Farm ${i}`, orgName: `Farm ${i}` },
      });
      expect(asked.statusCode).toBe(202);
      const token = new URL(await confirmationLink(s.core, email)).hash.slice(1);
      const confirmed = await s.app.inject({
        method: 'POST',
        url: '/api/auth/confirm',
        remoteAddress: ip,
        payload: { token },
      });
      expect(confirmed.statusCode).toBe(200);
      const signedIn = await s.app.inject({
        method: 'POST',
        url: '/api/auth/signin',
        remoteAddress: ip,
        payload: { email, password: `Farm-password-${i}-long-enough` },
      });
      expect(signedIn.statusCode).toBe(200);
      orgs.push(JSON.parse(signedIn.body).orgs[0].id);
    }
    expect(await s.core.trust.queue.collectSignals()).toEqual({ orgsPerAddress: 3, outboundAttacks: 0 });
    expect(await s.core.trust.queue.collectSignals()).toEqual({ orgsPerAddress: 0, outboundAttacks: 0 });
    const queue = (await security.client.get('/api/staff/review?status=open')).body.items;
    const farm = queue.filter((i: { signal: string }) => i.signal === 'orgs_per_address');
    expect(farm.map((i: { orgId: string }) => i.orgId).sort()).toEqual(orgs.sort());
    expect(JSON.stringify(farm)).not.toContain(ip); // the address is kept only as a keyed hash
    // Customers are told there is no queue; staff without the security or admin role are refused.
    expect((await owner.client.get('/api/staff/review')).status).toBe(404);
    const support = await staffMember(s, ['support']);
    expect((await support.client.get('/api/staff/review')).status).toBe(403);
  });

  it('raises an organisation whose server attacks others (not one under attack), once per finding', async () => {
    // What detection records: one server scanning others' SSH ports, and the same server being brute-forced.
    const [serverId] = await insertReadyServers(s, member.orgId, member.userId, 1);
    const finding = (rule: string, title: string) => ({
      id: newId('fnd', clock.nowMs()),
      org_id: member.orgId,
      server_id: serverId!,
      server_name: 'scanner-1',
      rule,
      key: 'port:22',
      severity: 'critical' as const,
      title,
      evidence: '{}',
      status: 'open' as const,
      incident_id: null,
      occurrences: 1,
      first_seen_at: clock.iso(),
      last_seen_at: clock.iso(),
      acknowledged_by: null,
      acknowledged_at: null,
      closed_by: null,
      closed_at: null,
    });
    const attack = finding('outbound_attack', 'Connections to 40 addresses on port 22');
    await s.core.db
      .insertInto('findings')
      .values([attack, finding('ssh_brute_force', 'Many failed SSH logins from 198.51.100.9')])
      .execute();
    expect(await s.core.trust.queue.collectSignals()).toEqual({ orgsPerAddress: 0, outboundAttacks: 1 });
    expect(await s.core.trust.queue.collectSignals()).toEqual({ orgsPerAddress: 0, outboundAttacks: 0 });
    const items = ((await security.client.get('/api/staff/review?status=open')).body.items as ReviewItem[]).filter(
      (i) => i.orgId === member.orgId,
    );
    expect(items.map((i) => [i.signal, i.details.finding])).toEqual([['outbound_attack', attack.id]]);
    expect(items[0]!.summary).toBe(
      'Server scanner-1 looks like it is attacking others: Connections to 40 addresses on port 22',
    );
  });

  it('suspends: schedules, monitoring and tasks stop; data and servers stay; members see why and are mailed', async () => {
    const raised = await security.client.post(`/api/staff/orgs/${owner.orgId}/review`, {
      summary: 'A hosting provider reported spam from these servers',
    });
    expect(raised.status).toBe(201);
    const suspended = await security.client.post(`/api/staff/orgs/${owner.orgId}/suspension`, {
      reason: 'Spam reported from your servers; we are looking into it.',
      reviewItemId: raised.body.id,
    });
    expect(suspended.status).toBe(201);
    expect((await security.client.post(`/api/staff/orgs/${owner.orgId}/suspension`, { reason: 'again' })).status).toBe(
      409,
    );
    const standing = (await member.client.get(`/api/orgs/${owner.orgId}/standing`)).body;
    expect(standing).toMatchObject({
      suspended: true,
      reason: 'Spam reported from your servers; we are looking into it.',
    });
    const mails = await s.core.db
      .selectFrom('outbox')
      .select(['template'])
      .where('org_id', '=', owner.orgId)
      .where('template', '=', 'trust.suspended')
      .execute();
    expect(mails).toHaveLength(2); // owner and member
    const item = (await security.client.get('/api/staff/review?status=suspended')).body.items;
    expect(item.map((i: { id: string }) => i.id)).toContain(raised.body.id);

    const before = { schedules: await schedules(), targets: await targets() };
    // Three hours pass: every slot comes due, none runs.
    for (let h = 0; h < 3; h++) {
      clock.advance(61 * MINUTE);
      expect(await s.core.discovery.runDueSchedules()).toBe(0);
      expect(await s.core.monitoring.tick()).toBe(0);
    }
    expect(await runsOf()).toBe(2);
    const task = await owner.client.post(`/api/orgs/${owner.orgId}/commands`, { argv: ['uptime'], all: true });
    expect(task.status).toBe(409);
    expect(task.body.error.code).toBe('STEWARD_ORG_SUSPENDED');
    expect(task.body.error.message).toContain('Spam reported');
    // Nothing was taken away: servers, schedules and monitoring settings are as they were.
    expect((await owner.client.get(`/api/orgs/${owner.orgId}/servers`)).body.servers).toHaveLength(2);
    expect(await schedules()).toEqual(before.schedules);
    expect(await targets()).toEqual(before.targets);
  });

  it('lets a member appeal through a support request that security staff answer', async () => {
    const appeal = await member.client.post(`/api/orgs/${owner.orgId}/appeal`, {
      message: 'The spam came from a compromised plugin; it is removed.',
    });
    expect(appeal.status).toBe(201);
    expect((await member.client.post(`/api/orgs/${owner.orgId}/appeal`, { message: 'again' })).status).toBe(409);
    const id = appeal.body.supportRequestId;
    expect((await member.client.get(`/api/orgs/${owner.orgId}/standing`)).body.appealRequestId).toBe(id);
    const seen = (await owner.client.get(`/api/orgs/${owner.orgId}/support-requests/${id}`)).body;
    expect(seen).toMatchObject({ kind: 'appeal', grantId: null });
    expect((await security.client.post(`/api/staff/support-requests/${id}/take`)).status).toBe(200);
    const reply = await security.client.post(`/api/staff/support-requests/${id}/messages`, {
      body: 'Thank you; we checked and will reinstate the organisation.',
    });
    expect(reply.status).toBe(200);
  });

  it('reinstates: schedules resume with nothing lost, and every step was audited and mailed', async () => {
    const back = await security.client.delete(`/api/staff/orgs/${owner.orgId}/suspension`);
    expect(back.status).toBe(400); // the note is required
    const ok = await security.client.request('DELETE', `/api/staff/orgs/${owner.orgId}/suspension`, {
      note: 'The compromised plugin was removed.',
    });
    expect(ok.status).toBe(200);
    expect((await member.client.get(`/api/orgs/${owner.orgId}/standing`)).body.suspended).toBe(false);
    clock.advance(61 * MINUTE);
    expect(await s.core.discovery.runDueSchedules()).toBe(2);
    expect(await runsOf()).toBe(4);
    expect((await owner.client.post(`/api/orgs/${owner.orgId}/commands`, { argv: ['uptime'], all: true })).status).toBe(
      202,
    );
    const due = await s.core.db
      .selectFrom('monitoring_targets')
      .select(['next_run_ms', 'enabled'])
      .where('server_id', '=', servers[0]!)
      .executeTakeFirstOrThrow();
    expect(due.enabled).toBe(1);
    expect(Number(due.next_run_ms)).toBeLessThanOrEqual(clock.nowMs() + 60_000);
    const actions = (
      await s.core.db.selectFrom('audit_log').select('action').where('org_id', '=', owner.orgId).execute()
    ).map((a) => a.action);
    for (const a of ['review.raised', 'org.suspended', 'org.appealed', 'org.reinstated']) expect(actions).toContain(a);
    const templates = (
      await s.core.db.selectFrom('outbox').select('template').where('org_id', '=', owner.orgId).execute()
    ).map((m) => m.template);
    expect(templates.filter((t) => t === 'trust.reinstated')).toHaveLength(2);
    expect(templates.filter((t) => t === 'trust.appealed')).toHaveLength(2);
  });
});
