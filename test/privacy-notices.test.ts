// Engine: SQLite only: mail and public pages; the privacy stores run on both engines in privacy-centre and privacy-deletion (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { settled, staffMember } from '../testkit/privacy.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe('policy versions and transfer notices (real SMTP server)', () => {
  let smtp: SmtpSink;
  let s: TestSteward;
  let people: SignedUp[];
  let admin: { client: TestClient; userId: string; email: string };
  let security: TestClient;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_SMTP_URL: smtp.url } });
    s.core.queue.start();
    people = [];
    for (let i = 0; i < 5; i++) people.push(await signUp(s.app, { name: `Reader ${i}` }));
    admin = await staffMember(s, ['admin']);
    security = (await staffMember(s, ['security'])).client;
    await settled(s);
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  const everyAddress = () => [...people.map((p) => p.email), admin.email];

  it('a significant policy change reaches every primary address exactly once; acknowledging clears the notice', async () => {
    const before = smtp.mails.length;
    const res = await admin.client.post('/api/staff/policies', {
      version: '2026-02',
      title: 'Clearer retention periods',
      body: 'We keep analytics events for 13 months.\n\nRaw IP addresses for 30 days.',
      changes: 'Retention periods are now stated for every kind of data.',
      significant: true,
    });
    expect(res.status, res.raw).toBe(201);
    await settled(s);
    // Run the notice job once more, as a crashed worker's retry would: nobody gets a second mail.
    await s.core.db
      .transaction()
      .execute((trx) =>
        s.core.queue.enqueue(trx, { queue: 'privacy.policy_notice', payload: { policyId: res.body.id } }),
      );
    await settled(s);
    const notices = smtp.mails.slice(before).filter((m) => m.subject.includes('privacy policy changes'));
    const accounts = (await s.core.db.selectFrom('users').select('id').where('status', '=', 'active').execute()).length;
    expect(notices).toHaveLength(accounts);
    for (const address of everyAddress())
      expect(
        notices.filter((m) => m.to.includes(address)),
        address,
      ).toHaveLength(1);

    const reader = people[0]!;
    const notice = (await reader.client.get('/api/me/policy-notice')).body.notice;
    expect(notice).toMatchObject({ version: '2026-02', significant: true, title: 'Clearer retention periods' });
    expect((await reader.client.post('/api/me/policy-notice/acknowledge', { policyId: notice.id })).status).toBe(204);
    expect((await reader.client.get('/api/me/policy-notice')).body.notice).toBeNull();
    expect((await people[1]!.client.get('/api/me/policy-notice')).body.notice).not.toBeNull();
    expect(
      await s.core.db.selectFrom('policy_acknowledgements').selectAll().where('user_id', '=', reader.userId).execute(),
    ).toHaveLength(1);
  });

  it('a minor change mails no one; a newcomer who accepted the current policy sees no notice', async () => {
    const before = smtp.mails.length;
    expect(
      (
        await admin.client.post('/api/staff/policies', {
          version: '2026-02a',
          title: 'Typo fixes',
          body: 'Same policy, fewer typos.',
          changes: 'Typos.',
          significant: false,
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await admin.client.post('/api/staff/policies', {
          version: '2026-02a',
          title: 'Again',
          body: 'x',
          changes: 'x',
          significant: false,
        })
      ).status,
    ).toBe(409);
    await settled(s);
    expect(smtp.mails.slice(before).filter((m) => m.subject.includes('privacy policy'))).toHaveLength(0);
    const newcomer = await signUp(s.app);
    expect((await newcomer.client.get('/api/me/policy-notice')).body.notice).toBeNull();
    expect((await new TestClient(s.app).get('/api/privacy/policy')).body.policy.version).toBe('2026-02a');
    const page = await new TestClient(s.app).get('/legal/privacy');
    expect(page.status).toBe(200);
    expect(page.raw).toContain('<script src="/analytics/steward.js" defer></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    // Only operators publish.
    expect(
      (
        await people[0]!.client.post('/api/staff/policies', {
          version: 'x',
          title: 'x',
          body: 'x',
          changes: 'x',
          significant: true,
        })
      ).status,
    ).toBe(403);
  });

  it('an acquisition transfer cannot be marked done before every affected person was sent the notice', async () => {
    const created = await admin.client.post('/api/staff/disclosures', {
      kind: 'transfer',
      recipient: 'Acme Holdings',
      description: 'Acme acquires the operator of this Steward.',
      dataCategories: ['account', 'contact'],
    });
    expect(created.status, created.raw).toBe(201);
    const id = created.body.id as string;
    const early = await admin.client.post(`/api/staff/disclosures/${id}/complete`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('STEWARD_NOTICES_PENDING');

    // Notices queued but not yet delivered (the job has not run): still refused.
    await s.core.queue.stop();
    expect((await admin.client.post(`/api/staff/disclosures/${id}/notices`)).status).toBe(202);
    const queued = await admin.client.post(`/api/staff/disclosures/${id}/complete`);
    expect(queued.status).toBe(409);
    expect(queued.body.error.details).toMatchObject({ pending: queued.body.error.details.affected });

    s.core.queue.start();
    await settled(s);
    const affected = (await s.core.db.selectFrom('users').select('id').where('status', '=', 'active').execute()).length;
    const notices = smtp.mails.filter((m) => m.subject.startsWith('Notice: your data will move'));
    expect(notices).toHaveLength(affected);
    for (const p of people) expect(notices.filter((m) => m.to.includes(p.email))).toHaveLength(1);

    const done = await admin.client.post(`/api/staff/disclosures/${id}/complete`);
    expect(done.status, done.raw).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', notices: { affected, delivered: affected } });
    expect((await admin.client.post(`/api/staff/disclosures/${id}/complete`)).status).toBe(409);
  });

  it('keeps the register: partners need their agreement, legal requests their basis; customers see nothing', async () => {
    const partner = {
      kind: 'partner',
      recipient: 'Mailer Ltd',
      description: 'Sends our transactional mail.',
      dataCategories: ['contact'],
    };
    expect((await admin.client.post('/api/staff/disclosures', partner)).status).toBe(400);
    expect(
      (await admin.client.post('/api/staff/disclosures', { ...partner, agreementRef: 'NDA-2026-014' })).body,
    ).toMatchObject({ status: 'recorded', agreementRef: 'NDA-2026-014' });
    const legal = {
      kind: 'legal',
      recipient: 'District Court',
      description: 'Account records of one customer.',
      dataCategories: ['account'],
    };
    expect((await admin.client.post('/api/staff/disclosures', legal)).status).toBe(400);
    expect(
      (
        await admin.client.post('/api/staff/disclosures', {
          ...legal,
          legalBasis: 'court_order',
          reference: 'Case 26-1234',
        })
      ).status,
    ).toBe(201);
    const list = (await security.get('/api/staff/disclosures')).body.disclosures;
    expect(list.map((d: { kind: string }) => d.kind).sort()).toEqual(['legal', 'partner', 'transfer']);
    expect((await security.post('/api/staff/disclosures', { ...partner, agreementRef: 'x' })).status).toBe(403);
    expect((await people[0]!.client.get('/api/staff/disclosures')).status).toBe(403);
    expect((await people[0]!.client.get(`/api/staff/disclosures/${list[0].id}`)).status).toBe(404);
  });
});
