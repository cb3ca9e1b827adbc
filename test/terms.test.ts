import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { staffSession } from '../testkit/staff.js';
import { confirmationLink, startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

/**
 * Terms of service: sign-up needs the version in force accepted and records it with the account; a material
 * change holds every member at the API until they accept it (their profile, the terms and their data rights stay
 * open), mails them, and every acceptance is in their data export.
 */
describe.each(ENGINES)('terms of service (%s)', (engine) => {
  let s: TestSteward;
  let admin: TestClient;
  let early: SignedUp;

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    s.core.queue.start();
    admin = (await staffSession(s, ['admin'])).client;
    early = await signUp(s.app); // before any terms are published: no acceptance asked for
  });
  afterAll(() => s?.close());

  const publish = async (version: string, material: boolean) => {
    const res = await admin.post('/api/staff/terms', {
      version,
      title: 'Steward Terms of Service',
      body: `The terms, version ${version}.`,
      changes: `What changed in ${version}.`,
      material,
    });
    expect(res.status, res.raw).toBe(201);
    return res.body as { id: string; version: string };
  };
  const ask = (body: Record<string, unknown>) =>
    new TestClient(s.app).post('/api/auth/signup', {
      password: 'a long and unusual sign-up passphrase',
      name: 'Terms Tester',
      orgName: 'Terms Org',
      ...body,
    });

  it('sign-up needs the version in force accepted, and the account keeps the acceptance', async () => {
    const v1 = await publish('2026-12', true);
    const email = `terms-${Date.now()}@example.com`;

    const without = await ask({ email });
    expect(without.status).toBe(400);
    expect(without.body.error.code).toBe('STEWARD_INVALID_INPUT');
    expect(without.body.error.message).toContain('acceptTerms: "2026-12"');
    const stale = await ask({ email, acceptTerms: '2025-01' });
    expect(stale.status).toBe(400);
    expect(stale.body.error.message).toMatch(/changed to version 2026-12/);
    await expect(confirmationLink(s.core, email)).rejects.toThrow(/no confirmation mail/);

    expect((await ask({ email, acceptTerms: v1.version })).status).toBe(202);
    const requested = await s.core.audit.list({ limit: 5, action: 'signup.requested' });
    expect(requested[0]).toMatchObject({ actor_type: 'anonymous', org_id: null });
    expect(requested[0]!.details).not.toContain(email);

    const token = new URL(await confirmationLink(s.core, email)).hash.slice(1);
    const confirmedFrom = '192.0.2.15';
    const before = Date.now();
    expect((await new TestClient(s.app, { from: confirmedFrom }).post('/api/auth/confirm', { token })).status).toBe(
      200,
    );
    const signin = await new TestClient(s.app).post('/api/auth/signin', {
      email,
      password: 'a long and unusual sign-up passphrase',
    });
    const person = new TestClient(s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0],
      csrf: signin.body.csrfToken,
    });
    const mine = (await person.get('/api/me/terms')).body;
    expect(mine.pending).toBeNull();
    expect(mine.acceptances).toEqual([
      expect.objectContaining({
        version: '2026-12',
        source: 'sign_up',
        evidence: expect.objectContaining({ statement: expect.stringContaining('version 2026-12') }),
      }),
    ]);
    // With the time and the address (as a keyed hash) of the request that created the account, and its id.
    const [accepted] = mine.acceptances as { at: string; evidence: { ipHash: string; requestId: string } }[];
    expect(Date.parse(accepted!.at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(accepted!.at)).toBeLessThanOrEqual(Date.now());
    expect(accepted!.evidence.ipHash).toBe(s.core.vault.auditHash(`ip:${confirmedFrom}`));
    expect(accepted!.evidence.requestId).toMatch(/^req_/);
    expect((await person.get('/api/auth/session')).body.pending.terms).toBe(false);
  });

  it('a material change holds a member until they accept, mails them, and the export keeps every acceptance', async () => {
    // The member from before any terms, and one who signed up under 2026-12: both held by a material 2027-01.
    const later = await signUp(s.app);
    expect((await later.client.get(`/api/orgs/${later.orgId}`)).status).toBe(200);
    const v2 = await publish('2027-01', true);
    for (const m of [early, later]) {
      const held = await m.client.get(`/api/orgs/${m.orgId}`);
      expect(held.status).toBe(403);
      expect(held.body.error.code).toBe('STEWARD_TERMS_NOT_ACCEPTED');
      expect((await m.client.patch(`/api/orgs/${m.orgId}`, { name: 'Not now' })).status).toBe(403);
      // What stays open: the session, the terms, the export.
      expect((await m.client.get('/api/auth/session')).body.pending.terms).toBe(true);
      expect((await m.client.get('/api/me/terms')).body.pending).toMatchObject({ id: v2.id, version: '2027-01' });
      expect((await m.client.get('/api/me/export')).status).toBe(200);
    }
    await until('the notice mails', async () => {
      const mails = await s.core.notify.mailsTo(s.core.vault.emailIndex(later.email));
      return mails.some((m) => m.template === 'privacy.terms_changed' && m.text.includes('2027-01'));
    });

    const stale = await later.client.post('/api/me/terms', { termsId: 'tos_00000000000000000000000000' });
    expect(stale.status).toBeGreaterThanOrEqual(400);
    expect(stale.status).toBeLessThan(500);
    const accepted = await later.client.post('/api/me/terms', { termsId: v2.id });
    expect(accepted.status, accepted.raw).toBe(200);
    expect(accepted.body.pending).toBeNull();
    expect((await later.client.get(`/api/orgs/${later.orgId}`)).status).toBe(200);
    // The other member is still held: acceptance is per person.
    expect((await early.client.get(`/api/orgs/${early.orgId}`)).status).toBe(403);

    const exported = (await later.client.get('/api/me/export')).body;
    const kept = exported.data.termsAcceptances as { version: string; source: string; evidence: object }[];
    expect(kept.map((a) => [a.version, a.source])).toEqual([
      ['2026-12', 'sign_up'],
      ['2027-01', 'console'], // a session's acceptance counts as the console's
    ]);
    expect(kept[1]!.evidence).toMatchObject({ statement: expect.stringContaining('2027-01') });
    expect(exported.summary).toMatch(
      /Terms of service versions accepted: 2026-12 \(.+, sign up\), 2027-01 \(.+, console\)/,
    );

    // A change that is not material holds no one.
    await publish('2027-01.1', false);
    expect((await later.client.get(`/api/orgs/${later.orgId}`)).status).toBe(200);
  });
});
