import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/core/actor.js';
import { FakeClock } from '../src/kernel/clock.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { insertReadyServers } from '../testkit/servers.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { staffMember, supportGrant, type StaffMember } from './access-kit.js';

const staffActor = (m: StaffMember): Actor => ({
  userId: m.userId,
  kind: 'staff',
  staffRoles: ['support'],
  via: 'session',
  credentialId: 'test',
  needsTotpEnrolment: false,
});

describe.each(ENGINES)('staff confidentiality undertaking (%s)', (engine) => {
  const clock = new FakeClock(Date.now());
  let s: TestSteward;
  let admin: StaffMember;
  let support: StaffMember;
  let customer: SignedUp;
  let serverId: string;
  let grantId: string;
  let v1: string;

  beforeAll(async () => {
    s = await startTestSteward({ engine, clock });
    admin = await staffMember(s, ['admin']);
    support = await staffMember(s, ['support']);
    customer = await signUp(s.app, { name: 'Cleo Customer' });
    serverId = (await insertReadyServers(s, customer.orgId, customer.userId, 1))[0]!;
    ({ grantId } = await supportGrant(customer, support, [serverId]));
  }, 60_000);
  afterAll(() => s?.close());

  // Every place a grant is checked: the choke point every staff action passes, the SSH login guard every login
  // under a grant passes (jobs included), and the HTTP layer in front of every staff route.
  async function everyCheck() {
    const server = (await s.core.servers.rowById(serverId))!;
    const choke = await s.core.access
      .requireActiveGrant(staffActor(support), { kind: 'server', orgId: customer.orgId, serverId, grantId }, 'terminal')
      .then(
        () => 'allowed',
        (err: { code?: string }) => err.code,
      );
    const login = await s.core.access.grants
      .guardLogin({ type: 'staff_grant', id: grantId, actorId: support.userId }, server)
      .then(
        () => 'allowed',
        (err: { code?: string }) => err.code,
      );
    const api = await support.client.get(`/api/staff/grants/${grantId}`);
    return { choke, login, api: api.status === 200 ? 'allowed' : api.body.error.code };
  }

  it('changes nothing while no undertaking is published', async () => {
    expect(await everyCheck()).toEqual({ choke: 'allowed', login: 'allowed', api: 'allowed' });
    expect((await support.client.get('/api/staff/undertaking')).body).toEqual({
      current: null,
      acceptedAt: null,
      pending: false,
    });
  });

  it('suspends every staff role once a version is published, until it is accepted with a fresh code', async () => {
    // Only an admin publishes, and only with a fresh code; the publisher's own acceptance is recorded with it.
    const noCode = await admin.client.post('/api/staff/undertakings', {
      version: '1',
      title: 'Staff confidentiality undertaking',
      body: 'I keep what I learn about customers confidential.',
      code: '000000',
    });
    expect(noCode.status).toBe(401);
    const bySupport = await support.client.post('/api/staff/undertakings', {
      version: '1',
      title: 'T',
      body: 'B',
      code: await support.nextCode(),
    });
    expect(bySupport.status).toBe(403);
    expect(bySupport.body.error.code).toBe('STEWARD_FORBIDDEN');
    const published = await admin.client.post('/api/staff/undertakings', {
      version: '1',
      title: 'Staff confidentiality undertaking',
      body: 'I keep what I learn about customers confidential.',
      code: await admin.nextCode(),
    });
    expect(published.status).toBe(201);
    v1 = published.body.id;

    expect(await everyCheck()).toEqual({
      choke: 'STEWARD_UNDERTAKING_REQUIRED',
      login: 'STEWARD_UNDERTAKING_REQUIRED',
      api: 'STEWARD_UNDERTAKING_REQUIRED',
    });
    // Tokens too, and every staff route, not only grants.
    const viaToken = await support.client.app.inject({
      method: 'GET',
      url: '/api/staff/grants',
      headers: { authorization: `Bearer ${support.token}` },
    });
    expect(viaToken.statusCode).toBe(403);
    const denials = await s.core.db
      .selectFrom('audit_log')
      .select(['details'])
      .where('action', '=', 'access.denied')
      .where('actor_id', '=', support.userId)
      .execute();
    const reasons = denials.map((d) => JSON.parse(d.details) as { reason: string; during?: string });
    expect(reasons.filter((r) => r.reason === 'undertaking_not_accepted').length).toBeGreaterThanOrEqual(3);
    expect(reasons.some((r) => r.during === 'ssh_login')).toBe(true);
    // The publisher accepted it by publishing; the session says what is pending.
    expect((await admin.client.get('/api/staff/grants')).status).toBe(200);
    expect((await support.client.get('/api/auth/session')).body.pending).toEqual({ undertaking: true, terms: false });

    // Reading and accepting stay open; a wrong or reused code is refused.
    const status = (await support.client.get('/api/staff/undertaking')).body;
    expect(status).toMatchObject({ pending: true, current: { version: '1' } });
    expect((await support.client.post('/api/staff/undertaking', { undertakingId: v1, code: '123456' })).status).toBe(
      401,
    );
    clock.advance(60_000);
    const ok = await support.client.post('/api/staff/undertaking', {
      undertakingId: v1,
      code: await support.nextCode(),
    });
    expect(ok.status).toBe(200);
    expect(ok.body.pending).toBe(false);
    expect(await everyCheck()).toEqual({ choke: 'allowed', login: 'allowed', api: 'allowed' });
  });

  it('a new version suspends access again; the internal review lists who accepted which version', async () => {
    clock.advance(60_000);
    const v2 = await admin.client.post('/api/staff/undertakings', {
      version: '2',
      title: 'Staff confidentiality undertaking',
      body: 'I keep what I learn about customers confidential, including after I leave.',
      code: await admin.nextCode(),
    });
    expect(v2.status).toBe(201);
    expect(await everyCheck()).toEqual({
      choke: 'STEWARD_UNDERTAKING_REQUIRED',
      login: 'STEWARD_UNDERTAKING_REQUIRED',
      api: 'STEWARD_UNDERTAKING_REQUIRED',
    });
    // Accepting an old version does not count.
    clock.advance(60_000);
    const old = await support.client.post('/api/staff/undertaking', {
      undertakingId: v1,
      code: await support.nextCode(),
    });
    expect(old.status).toBe(409);

    const review = await admin.client.get('/api/staff/privacy-review?sinceDays=30&staleDays=30');
    expect(review.status).toBe(200);
    const u = review.body.undertakings;
    expect(u.current.version).toBe('2');
    expect(u.acceptances.map((a: { staffId: string; version: string }) => [a.staffId, a.version])).toEqual([
      [admin.userId, '2'],
      [admin.userId, '1'],
      [support.userId, '1'],
    ]);
    expect(u.notAccepted.map((n: { staffId: string }) => n.staffId)).toContain(support.userId);
    expect(u.notAccepted.map((n: { staffId: string }) => n.staffId)).not.toContain(admin.userId);

    clock.advance(60_000);
    expect(
      (
        await support.client.post('/api/staff/undertaking', {
          undertakingId: v2.body.id,
          code: await support.nextCode(),
        })
      ).status,
    ).toBe(200);
    expect(await everyCheck()).toEqual({ choke: 'allowed', login: 'allowed', api: 'allowed' });
    const accepted = await s.core.db
      .selectFrom('undertaking_acceptances')
      .selectAll()
      .where('user_id', '=', support.userId)
      .execute();
    expect(accepted.map((a) => a.second_factor)).toEqual(['totp', 'totp']);
    expect(JSON.parse(accepted[0]!.evidence).requestId).toMatch(/^req_/);
  });
});
