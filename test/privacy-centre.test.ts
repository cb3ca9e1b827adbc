import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { staffMember } from '../testkit/privacy.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe.each(ENGINES)('privacy centre: consents, export, need-to-know, review (%s)', (engine) => {
  let s: TestSteward;
  let ada: SignedUp;
  let ben: SignedUp;
  let support: { client: TestClient; userId: string };
  let marketing: { client: TestClient; userId: string };
  let admin: { client: TestClient; userId: string };
  const phone = '+44 20 7946 0123';

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    ada = await signUp(s.app, { name: 'Ada Lovelace', phone });
    ben = await signUp(s.app, { name: 'Ben Baker' });
    const inv = await ada.client.post(`/api/orgs/${ada.orgId}/invitations`, { email: ben.email, role: 'member' });
    await ben.client.post('/api/invitations/accept', { token: inv.body.token });
    support = await staffMember(s, ['support']);
    marketing = await staffMember(s, ['marketing']);
    admin = await staffMember(s, ['admin']);
    await admin.client.post('/api/staff/policies', {
      version: '2026-01',
      title: 'Privacy at Steward',
      body: 'Text.',
      changes: 'First.',
      significant: false,
    });
  });
  afterAll(() => s?.close());

  it('records each decision with its time, source, policy version and evidence; withdrawing is the same call', async () => {
    expect((await ada.client.post('/api/me/consents', { purpose: 'partner_offers', granted: true })).status).toBe(200);
    const withdrawn = await ada.client.post('/api/me/consents', { purpose: 'partner_offers', granted: false });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.current.find((c: { purpose: string }) => c.purpose === 'partner_offers')).toMatchObject({
      granted: false,
      source: 'console',
      policyVersion: '2026-01',
    });
    const { current, history } = (await ada.client.get('/api/me/consents')).body;
    expect(current.map((c: { purpose: string }) => c.purpose)).toEqual([
      'promotions',
      'partner_offers',
      'analytics',
      'referrals',
      'recommendations',
    ]);
    expect(current.find((c: { purpose: string }) => c.purpose === 'promotions')).toMatchObject({
      granted: false,
      at: null,
    });
    expect(history).toHaveLength(2);
    expect(history[1]).toMatchObject({ purpose: 'partner_offers', granted: true, policyVersion: '2026-01' });
    expect(history[1].evidence.statement).toMatch(/offers from its partners/);
    expect(history[1].evidence.requestId).toMatch(/^req_/);
    expect(String(history[1].evidence.ipHash)).toHaveLength(43);
    // An API token records "api" as the source.
    const token = (await ada.client.post('/api/me/tokens', { name: 'script' })).body.token;
    await new TestClient(s.app, { token }).post('/api/me/consents', { purpose: 'promotions', granted: true });
    expect((await ada.client.get('/api/me/consents')).body.current[0]).toMatchObject({ granted: true, source: 'api' });
    expect((await ada.client.post('/api/me/consents', { purpose: 'everything', granted: true })).status).toBe(400);
    expect((await support.client.post('/api/me/consents', { purpose: 'promotions', granted: true })).status).toBe(403);
  });

  it('exports everything about the person as JSON, with a readable summary', async () => {
    await s.core.privacy.analytics.bannerDecision(true, {
      ip: '198.51.100.7',
      requestId: 'req_x',
      headers: {},
      visitorCookie: undefined,
      userId: ada.userId,
    });
    await s.core.privacy.analytics.collect(
      { kind: 'pageview', path: '/orgs?tab=1', language: 'en-GB' },
      {
        ip: '198.51.100.7',
        requestId: 'req_y',
        headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' },
        visitorCookie: 'abcdefghijklmnopqrstuv',
        userId: ada.userId,
      },
    );
    const res = await ada.client.get('/api/me/export');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toContain('steward-export.json');
    expect(res.headers['cache-control']).toBe('no-store');
    const { data, summary } = res.body;
    expect(data.format).toBe('steward-export/1');
    expect(data.person).toMatchObject({ name: 'Ada Lovelace', email: ada.email, phone });
    expect(data.organisations).toHaveLength(1);
    expect(data.consents.history.length).toBeGreaterThanOrEqual(4);
    expect(data.analytics).toEqual([
      expect.objectContaining({
        path: '/orgs',
        ip: '198.51.100.7',
        browser: 'Firefox 125',
        os: 'Linux',
        language: 'en-GB',
      }),
    ]);
    expect(data.mails.map((m: { template: string }) => m.template)).toContain('account.welcome');
    expect(data.activity.map((a: { action: string }) => a.action)).toContain('user.signed_up');
    expect(data.apiTokens[0]).not.toHaveProperty('token');
    expect(summary).toContain('Name: Ada Lovelace');
    const text = await ada.client.get('/api/me/export/summary');
    expect(text.headers['content-type']).toContain('text/plain');
    expect(text.raw).toContain(`E-mail: ${ada.email}`);
    // Each person exports only themselves.
    expect((await ben.client.get('/api/me/export')).body.data.person.email).toBe(ben.email);
    expect(
      await s.core.db.selectFrom('audit_log').select('id').where('action', '=', 'personal_data.exported').execute(),
    ).toHaveLength(3);
  });

  it('masks personal fields by role; revealing one takes a reason and is audited', async () => {
    const list = await support.client.get(
      `/api/staff/orgs/${ada.orgId}/people?reason=${encodeURIComponent('Ticket 42: owner asked for help')}`,
    );
    expect(list.status, list.raw).toBe(200);
    const shown = list.body.people.find((p: { id: string }) => p.id === ada.userId);
    expect(shown).toMatchObject({ name: 'Ada Lovelace', email: ada.email, masked: ['phone'] });
    expect(shown.phone).toBe('••••••••••23');
    expect(list.raw).not.toContain('7946');
    expect((await support.client.get(`/api/staff/orgs/${ada.orgId}/people`)).status).toBe(400);

    const noReason = await support.client.post(`/api/staff/people/${ada.userId}/reveal`, {
      field: 'phone',
      reason: '',
    });
    expect(noReason.status).toBe(400);
    const revealed = await support.client.post(`/api/staff/people/${ada.userId}/reveal`, {
      field: 'phone',
      reason: 'Ticket 42: call back requested',
    });
    expect(revealed.body).toEqual({ field: 'phone', value: phone });
    const entry = await s.core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'personal_data.revealed')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(entry.details)).toEqual({ field: 'phone', reason: 'Ticket 42: call back requested' });
    expect(entry.details).not.toContain('7946');

    // Marketing sees only people who consented to promotions (Ada did, Ben did not), and cannot reveal.
    const forMarketing = (await marketing.client.get(`/api/staff/orgs/${ada.orgId}/people?reason=campaign`)).body
      .people;
    expect(forMarketing.map((p: { id: string }) => p.id)).toEqual([ada.userId]);
    expect(
      (await marketing.client.post(`/api/staff/people/${ada.userId}/reveal`, { field: 'phone', reason: 'x' })).status,
    ).toBe(403);
    // Customers learn nothing from these routes.
    expect((await ben.client.get(`/api/staff/orgs/${ada.orgId}/people?reason=x`)).status).toBe(404);
    expect(
      (await ben.client.post(`/api/staff/people/${ada.userId}/reveal`, { field: 'phone', reason: 'x' })).status,
    ).toBe(404);
  });

  it('the internal review names who read what and why, stale roles and grants', async () => {
    const idle = await s.core.users.createStaff(
      {
        email: `idle-${Date.now()}@example.com`,
        password: (await import('../src/kernel/secret.js')).secret('an idle staff password'),
        name: 'Idle',
        roles: ['security'],
      },
      { type: 'system' },
      {},
    );
    const report = await admin.client.get('/api/staff/privacy-review?sinceDays=30&staleDays=30');
    expect(report.status, report.raw).toBe(200);
    const reads = report.body.personalDataReads;
    expect(reads.find((r: { action: string }) => r.action === 'personal_data.revealed')).toMatchObject({
      staffId: support.userId,
      reason: 'Ticket 42: call back requested',
      fields: ['phone'],
      target: { type: 'user', id: ada.userId },
    });
    expect(
      reads.find(
        (r: { action: string; staffId: string }) => r.action === 'personal_data.read' && r.staffId === support.userId,
      ),
    ).toMatchObject({ reason: 'Ticket 42: owner asked for help', orgId: ada.orgId });
    // Staff are named as well as identified.
    const supportName = (await support.client.get('/api/me')).body.name as string;
    expect(supportName).toMatch(/\w/);
    expect(
      reads
        .filter((r: { staffId: string }) => r.staffId === support.userId)
        .map((r: { staffName: string }) => r.staffName),
    ).toEqual([supportName, supportName]);
    expect(report.body.readsByStaff[0]).toMatchObject({ staffId: support.userId, staffName: supportName, count: 2 });
    expect(report.body.staleRoles.map((r: { staffId: string; staffName: string }) => [r.staffId, r.staffName])).toEqual(
      [[idle, 'Idle']],
    );
    expect(['ok', 'pending']).toContain(report.body.unusedGrants.status);
    expect((await support.client.get('/api/staff/privacy-review')).status).toBe(403);
    expect((await ada.client.get('/api/staff/privacy-review')).status).toBe(403);
  });

  it('dashboards for marketing on this engine', async () => {
    const res = await marketing.client.get('/api/staff/analytics?from=2000-01-01');
    expect(res.status, res.raw).toBe(200);
    expect(res.body).toMatchObject({
      pageViews: 1,
      visitors: 1,
      visits: 1,
      topPages: [{ key: '/orgs', count: 1 }],
      browsers: [{ key: 'Firefox', count: 1 }],
    });
    expect((await marketing.client.get('/api/staff/analytics?from=2026-99-99')).status).toBe(400);
  });
});
