/**
 * Grants through the API on both engines: the reasons and their tickets (C2), the state machine on an injected
 * clock, who may approve (C8), narrowing and revoking, what the customer sees and is mailed (C3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { ENGINES } from '../testkit/db.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { plantIncident } from '../testkit/incidents.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { staffMember, type StaffMember } from './access-kit.js';
import { until } from '../testkit/wait.js';

describe.each(ENGINES)('staff access grants (%s)', (engine) => {
  const clock = new FakeClock(Date.now());
  let s: TestSteward;
  let smtp: SmtpSink;
  let a: SignedUp;
  let support: StaffMember;
  let security: StaffMember;
  let security2: StaffMember;
  let serverId: string;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({ engine, clock, env: { STEWARD_SMTP_URL: smtp.url } });
    s.core.queue.start();
    a = await signUp(s.app, { orgName: 'Grants Org' });
    // A server record is enough here: nothing logs in to it.
    const added = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'web-1',
      address: 'web-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    serverId = added.body.id;
    support = await staffMember(s, ['support'], () => clock.nowMs());
    security = await staffMember(s, ['security'], () => clock.nowMs());
    security2 = await staffMember(s, ['security'], () => clock.nowMs());
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('C2: a grant needs a known reason, a justification and its ticket or incident (400 otherwise)', async () => {
    const base = {
      justification: 'Set up the new web server for the launch',
      serverIds: [serverId],
      durationMinutes: 60,
    };
    for (const body of [
      { ...base, reason: '' },
      { ...base, reason: 'curiosity' },
      { ...base, reason: 'support_request' },
      { ...base, reason: 'suspicious_activity' },
      { ...base, reason: 'initial_setup', justification: '' },
    ]) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/grants`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_INVALID_INPUT');
    }
    const noIncident = await security.client.post('/api/staff/grants', {
      orgId: a.orgId,
      incidentId: '',
      justification: 'Possible miner pinning the CPU',
      serverIds: [serverId],
    });
    expect(noIncident.status).toBe(400);
    const ok = await a.client.post(`/api/orgs/${a.orgId}/grants`, { ...base, reason: 'initial_setup' });
    expect(ok.status, ok.raw).toBe(201);
    expect(ok.body).toMatchObject({
      reason: 'initial_setup',
      state: 'requested',
      staff: null,
      scope: { serverIds: [serverId], actions: ['terminal', 'tasks', 'read_facts_logs'] },
    });
  });

  it('C3: a support request opens a grant; once taken the customer sees it (with the staff member) within 2 s and is mailed', async () => {
    const mailsBefore = smtp.mails.length;
    const opened = await a.client.post(`/api/orgs/${a.orgId}/support-requests`, {
      subject: 'Disk full?',
      message: 'The app stopped writing logs.',
      serverIds: [serverId],
      durationMinutes: 30,
    });
    expect(opened.status, opened.raw).toBe(201);
    const taken = await support.client.post(`/api/staff/support-requests/${opened.body.id}/take`);
    expect(taken.status, taken.raw).toBe(200);
    // Staff see whose request and grant it is by the organisation's name.
    expect(taken.body).toMatchObject({ orgId: a.orgId, orgName: 'Grants Org' });
    expect((await support.client.get(`/api/staff/grants/${opened.body.grantId}`)).body).toMatchObject({
      orgId: a.orgId,
      orgName: 'Grants Org',
    });
    const started = Date.now();
    const seen = await until(
      'the customer to see the active grant',
      async () => {
        const list = (await a.client.get(`/api/orgs/${a.orgId}/grants`)).body.grants as { id: string; state: string }[];
        return list.find((g) => g.id === opened.body.grantId && g.state === 'active');
      },
      { timeoutMs: 2000, everyMs: 50 },
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(seen).toMatchObject({
      reason: 'support_request',
      supportRequestId: opened.body.id,
      staff: { id: support.userId, name: expect.stringMatching(/^Staff/) },
      scope: { serverIds: [serverId] },
      endsAt: new Date(clock.nowMs() + 30 * 60_000).toISOString(),
    });
    const tookMail = await until(
      'the mail saying who took the request',
      async () => smtp.mails.slice(mailsBefore).find((m) => /took your request/.test(m.subject)),
      { timeoutMs: 20_000 },
    );
    expect(tookMail.to).toEqual([a.email]);
    expect(tookMail.body).toContain(opened.body.grantId);
    const timeline = (
      await a.client.get(`/api/orgs/${a.orgId}/timeline?grantId=${opened.body.grantId}`)
    ).body.entries.map((e: { event: string }) => e.event);
    expect(timeline).toEqual(expect.arrayContaining(['grant.requested', 'grant.taken', 'grant.activated']));
  });

  it('the window runs on the clock: an active grant expires, audited and mailed, and stays expired', async () => {
    const opened = await a.client.post(`/api/orgs/${a.orgId}/support-requests`, {
      subject: 'Expiry',
      message: 'Short one.',
      serverIds: [serverId],
      durationMinutes: 5,
    });
    await support.client.post(`/api/staff/support-requests/${opened.body.id}/take`);
    clock.advance(5 * 60_000 + 1000);
    expect(await s.core.access.grants.sweep()).toBeGreaterThanOrEqual(1);
    const grant = (await a.client.get(`/api/orgs/${a.orgId}/grants/${opened.body.grantId}`)).body;
    expect(grant).toMatchObject({ state: 'expired', endReason: 'window_ended' });
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?action=grant.expired`)).body.entries;
    expect(audit.some((e: { target: { id: string } }) => e.target.id === opened.body.grantId)).toBe(true);
    const take = await support.client.post(`/api/staff/grants/${opened.body.grantId}/take`);
    expect(take.status).toBe(409);
  });

  it('the customer narrows (never widens) and revokes; closing the support request ends its grant', async () => {
    const opened = await a.client.post(`/api/orgs/${a.orgId}/support-requests`, {
      subject: 'Narrow me',
      message: 'Please look.',
      serverIds: [serverId],
      durationMinutes: 60,
    });
    await support.client.post(`/api/staff/support-requests/${opened.body.id}/take`);
    const grantUrl = `/api/orgs/${a.orgId}/grants/${opened.body.grantId}`;
    const widen = await a.client.patch(grantUrl, { actions: ['terminal', 'reveal_secrets'] });
    expect(widen.status).toBe(400);
    const narrowed = await a.client.patch(grantUrl, {
      actions: ['read_facts_logs'],
      endsAt: new Date(clock.nowMs() + 10 * 60_000).toISOString(),
    });
    expect(narrowed.status, narrowed.raw).toBe(200);
    expect(narrowed.body).toMatchObject({
      state: 'active',
      scope: { actions: ['read_facts_logs'] },
      endsAt: new Date(clock.nowMs() + 10 * 60_000).toISOString(),
    });
    const closed = await a.client.post(`/api/orgs/${a.orgId}/support-requests/${opened.body.id}/close`);
    expect(closed.body.status).toBe('closed');
    expect((await a.client.get(grantUrl)).body).toMatchObject({ state: 'revoked', endReason: 'support_closed' });
  });

  it('messages go both ways on a support request, sealed at rest', async () => {
    const opened = await a.client.post(`/api/orgs/${a.orgId}/support-requests`, {
      subject: 'Chat',
      message: 'first-message-canary-71',
      serverIds: [serverId],
      durationMinutes: 30,
    });
    await support.client.post(`/api/staff/support-requests/${opened.body.id}/take`);
    clock.advance(1000);
    await support.client.post(`/api/staff/support-requests/${opened.body.id}/messages`, { body: 'Looking now.' });
    clock.advance(1000);
    await a.client.post(`/api/orgs/${a.orgId}/support-requests/${opened.body.id}/messages`, { body: 'Thanks!' });
    const thread = (await a.client.get(`/api/orgs/${a.orgId}/support-requests/${opened.body.id}`)).body.messages.map(
      (m: { body: string; author: { kind: string } }) => `${m.author.kind}: ${m.body}`,
    );
    expect(thread).toEqual(['customer: first-message-canary-71', 'staff: Looking now.', 'customer: Thanks!']);
    const raw = JSON.stringify(await s.core.db.selectFrom('support_messages').selectAll().execute());
    expect(raw).not.toContain('first-message-canary-71');
  });

  it('C8: suspicious activity needs a second staff approver, never the grant’s own staff member; by policy, the customer', async () => {
    const web1 = [{ id: serverId, name: 'web-1' }];
    const opened = await s.core.access.openSuspiciousActivityGrant({
      orgId: a.orgId,
      incidentId: await plantIncident(s, { orgId: a.orgId, servers: web1 }),
      serverIds: [serverId],
      justification: 'New uid-0 account appeared on web-1',
      durationMinutes: 60,
    });
    expect(opened).toMatchObject({ state: 'requested', approval: 'second_staff', staff: null });
    const grantUrl = `/api/staff/grants/${opened.id}`;
    expect((await security.client.post(`${grantUrl}/take`)).body).toMatchObject({
      state: 'requested',
      staff: { id: security.userId },
    });
    const self = await security.client.post(`${grantUrl}/approve`);
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('STEWARD_SELF_APPROVAL');
    const notApprover = await support.client.post(`${grantUrl}/approve`);
    expect(notApprover.status).toBe(403);
    const approved = await security2.client.post(`${grantUrl}/approve`);
    expect(approved.status, approved.raw).toBe(200);
    expect(approved.body).toMatchObject({ state: 'active', approvedBy: security2.userId });
    // The customer was told when it opened, and can revoke it.
    const revoked = await a.client.post(`/api/orgs/${a.orgId}/grants/${opened.id}/revoke`);
    expect(revoked.body.state).toBe('revoked');

    expect((await a.client.put(`/api/orgs/${a.orgId}/access-policy`, { suspiciousApproval: 'customer' })).status).toBe(
      200,
    );
    const byPolicy = await s.core.access.openSuspiciousActivityGrant({
      orgId: a.orgId,
      incidentId: await plantIncident(s, { orgId: a.orgId, servers: web1 }),
      serverIds: [serverId],
      justification: 'SSH brute force from a new address',
      staffId: security.userId,
    });
    expect(byPolicy.approval).toBe('customer');
    expect((await security2.client.post(`/api/staff/grants/${byPolicy.id}/approve`)).status).toBe(403);
    const byCustomer = await a.client.post(`/api/orgs/${a.orgId}/grants/${byPolicy.id}/approve`);
    expect(byCustomer.body).toMatchObject({ state: 'active', approvedBy: a.userId, staff: { id: security.userId } });
  });

  it('a suspicious-activity grant needs a real incident: the organisation’s own, open, covering its servers', async () => {
    const other = await signUp(s.app, { orgName: 'Other Org' });
    const otherServer = await other.client.post(`/api/orgs/${other.orgId}/servers`, {
      name: 'db-1',
      address: 'db-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    const second = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'web-2',
      address: 'web-2.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    const web1 = { id: serverId, name: 'web-1' };
    const ofOther = await plantIncident(s, {
      orgId: other.orgId,
      servers: [{ id: otherServer.body.id, name: 'db-1' }],
    });
    const closed = await plantIncident(s, { orgId: a.orgId, servers: [web1], status: 'closed' });
    const open = await plantIncident(s, { orgId: a.orgId, servers: [web1] });
    const grantsBefore = (await a.client.get(`/api/orgs/${a.orgId}/grants`)).body.grants.length;
    const ask = (incidentId: string, serverIds = [serverId]) =>
      security.client.post('/api/staff/grants', {
        orgId: a.orgId,
        incidentId,
        justification: 'Checking the new uid-0 account',
        serverIds,
      });
    const madeUp = await ask('INC-2024-0042');
    expect(madeUp.status, madeUp.raw).toBe(404);
    expect(madeUp.body.error.message).toMatch(/incident/);
    expect((await ask(ofOther)).status).toBe(404);
    const wasClosed = await ask(closed);
    expect(wasClosed.status).toBe(409);
    expect(wasClosed.body.error.code).toBe('STEWARD_INCIDENT_CLOSED');
    const wider = await ask(open, [serverId, second.body.id]);
    expect(wider.status).toBe(400);
    expect(wider.body.error.code).toBe('STEWARD_INCIDENT_SCOPE');
    expect(wider.body.error.message).toContain(second.body.id);
    expect((await a.client.get(`/api/orgs/${a.orgId}/grants`)).body.grants.length).toBe(grantsBefore);
    const ok = await ask(open);
    expect(ok.status, ok.raw).toBe(201);
    expect(ok.body).toMatchObject({ reason: 'suspicious_activity', incidentId: open, state: 'requested' });
  });

  it('customers cannot reach the staff routes, and the refusal stays out of every organisation’s log', async () => {
    const before = (await a.client.get(`/api/orgs/${a.orgId}/audit?limit=500`)).body.entries.length;
    const res = await a.client.get('/api/staff/grants');
    expect(res.status).toBe(404);
    expect((await a.client.get(`/api/orgs/${a.orgId}/audit?limit=500`)).body.entries.length).toBe(before);
  });
});
