/**
 * Sign-up as neither an oracle nor a spam cannon (ASVS 6.3.8, 2.4.1): the answer is the same for a new address, a
 * customer's and a staff member's; the account exists and works only once the mailed link is followed (once); and
 * sign-ups are limited per client address and per e-mail domain.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Secret } from '../src/kernel/secret.js';
import { signUp, TestClient } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { confirmationLink, startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

const PASSWORD = 'copper lantern orbit meadow';
const body = (email: string, orgName = 'Engines') => ({ email, password: PASSWORD, name: 'Ada Lovelace', orgName });

describe.each(ENGINES)('sign-up confirmed by a mailed link (%s)', (engine) => {
  let s: TestSteward;
  let smtp: SmtpSink;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({
      engine,
      env: { STEWARD_SMTP_URL: smtp.url, STEWARD_SIGNUP_PER_ADDRESS: '4', STEWARD_SIGNUP_PER_DOMAIN: '6' },
    });
    s.core.queue.start();
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });
  const from = (address: string) => new TestClient(s.app, { from: address });
  const mailTo = (email: string, n = 1) =>
    until(`${n} mail(s) to ${email}`, () => {
      const mails = smtp.mails.filter((m) => m.to.includes(email));
      return mails.length >= n ? mails : undefined;
    });

  it('answers the same for a new, a taken and a staff address, and mails each what fits', async () => {
    const taken = await signUp(s.app);
    const staffEmail = `ops-${Date.now()}@staff.example.org`;
    await s.core.users.createStaff(
      { email: staffEmail, password: new Secret('operator passphrase 77'), name: 'Ops', roles: ['admin'] },
      { type: 'system' },
      {},
    );
    const fresh = `new-${Date.now()}@fresh.example.net`;
    const answers = [];
    for (const [email, address] of [
      [fresh, '192.0.2.41'],
      [taken.email, '192.0.2.42'],
      [staffEmail, '192.0.2.43'],
    ] as const) {
      const res = await from(address).post('/api/auth/signup', body(email));
      answers.push({ status: res.status, body: res.raw, cookie: res.headers['set-cookie'] ?? null });
    }
    expect(answers[0]).toMatchObject({ status: 202, cookie: null });
    expect(JSON.parse(answers[0]!.body)).toEqual({
      status: 'confirmation_sent',
      message: expect.stringMatching(/Check your mail/),
    });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);

    const [confirm] = await mailTo(fresh);
    expect(confirm!.subject).toMatch(/Confirm your address/);
    expect(confirm!.body).toMatch(/\/confirm#[A-Za-z0-9_-]{20,}/);
    // The mails go out in no particular order (the taken address also got its welcome mail when it signed up).
    const note = (email: string) =>
      until(`the "already have an account" mail to ${email}`, () =>
        smtp.mails.find((m) => m.to.includes(email) && m.subject === 'You already have a Steward account'),
      );
    expect((await note(taken.email)).body).toMatch(/\/signin/);
    expect((await note(staffEmail)).body).not.toMatch(/\/confirm#/);
    // Nothing new exists for the taken addresses; the staff account is untouched.
    expect(
      (await from('192.0.2.42').post('/api/auth/signin', { email: taken.email, password: taken.password })).status,
    ).toBe(200);
  });

  it('an account works only after its link is followed, and the link works once', async () => {
    const email = `ida-${Date.now()}@fresh.example.net`;
    const anon = from('192.0.2.51');
    expect((await anon.post('/api/auth/signup', body(email, 'Variance Ltd'))).status).toBe(202);
    const before = await anon.post('/api/auth/signin', { email, password: PASSWORD });
    expect(before.status).toBe(401);
    expect(before.body.error.code).toBe('STEWARD_INVALID_CREDENTIALS');

    const link = new URL(await confirmationLink(s.core, email));
    expect(link.pathname).toBe('/confirm');
    const token = link.hash.slice(1);
    expect((await anon.post('/api/auth/confirm', { token: 'x'.repeat(43) })).body.error.code).toBe(
      'STEWARD_SIGNUP_LINK_INVALID',
    );
    const confirmed = await anon.post('/api/auth/confirm', { token });
    expect(confirmed.status, confirmed.raw).toBe(200);
    expect(confirmed.body).toEqual({ status: 'confirmed', email });
    const again = await anon.post('/api/auth/confirm', { token });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('STEWARD_SIGNUP_LINK_INVALID');

    const signedIn = await anon.post('/api/auth/signin', { email, password: PASSWORD });
    expect(signedIn.status, signedIn.raw).toBe(200);
    expect(signedIn.body.orgs).toEqual([expect.objectContaining({ name: 'Variance Ltd', role: 'owner' })]);
    // Nothing waits for this address any more.
    expect(
      await s.core.db
        .selectFrom('signup_requests')
        .select('id')
        .where('email_bidx', '=', s.core.vault.emailIndex(email))
        .execute(),
    ).toEqual([]);
  });

  it('an unconfirmed sign-up cannot act: no sign-in, no API, nothing created', async () => {
    const email = `unconfirmed-${Date.now()}@fresh.example.net`;
    const anon = from('192.0.2.61');
    const orgsBefore = await s.core.db.selectFrom('orgs').select('id').execute();
    const signedUp = await anon.post('/api/auth/signup', body(email, 'Never Confirmed Ltd'));
    expect(signedUp.status).toBe(202);
    expect(signedUp.headers['set-cookie']).toBeUndefined();
    await mailTo(email);

    const signIn = await anon.post('/api/auth/signin', { email, password: PASSWORD });
    expect(signIn.status).toBe(401);
    expect(signIn.body.error.code).toBe('STEWARD_INVALID_CREDENTIALS');
    expect(signIn.headers['set-cookie']).toBeUndefined();
    for (const res of [
      await anon.get('/api/me'),
      await anon.get('/api/orgs'),
      await anon.post('/api/orgs', { name: 'Sneaky Ltd' }),
      await anon.get('/api/auth/session'),
    ])
      expect(res.status, res.raw).toBe(401);

    const idx = s.core.vault.emailIndex(email);
    expect(await s.core.db.selectFrom('users').select('id').where('email_bidx', '=', idx).execute()).toEqual([]);
    expect(await s.core.db.selectFrom('orgs').select('id').execute()).toEqual(orgsBefore);
    // Only the waiting request exists, until its link is followed.
    expect(
      await s.core.db.selectFrom('signup_requests').select('id').where('email_bidx', '=', idx).execute(),
    ).toHaveLength(1);
  });

  it('limits sign-ups per client address and per e-mail domain, new and taken addresses alike', async () => {
    const tag = Date.now();
    // One address: four sign-ups in the window (STEWARD_SIGNUP_PER_ADDRESS=4), then 429 whatever the address.
    const one = from('198.51.100.60');
    for (let i = 0; i < 4; i++)
      expect((await one.post('/api/auth/signup', body(`spam${i}-${tag}@a${i}.example.com`))).status).toBe(202);
    for (const email of [`spam-more-${tag}@b.example.com`, (await signUp(s.app)).email]) {
      const limited = await one.post('/api/auth/signup', body(email));
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('STEWARD_RATE_LIMITED');
    }
    // One domain from many addresses: six sign-ups (STEWARD_SIGNUP_PER_DOMAIN=6), then 429.
    const domain = `d${tag}.example.com`;
    for (let i = 0; i < 6; i++)
      expect((await from(`198.51.100.${70 + i}`).post('/api/auth/signup', body(`p${i}@${domain}`))).status).toBe(202);
    const limited = await from('198.51.100.99').post('/api/auth/signup', body(`p9@${domain}`));
    expect(limited.status).toBe(429);
    // Another address and domain still sign up.
    expect((await from('198.51.100.100').post('/api/auth/signup', body(`ok-${tag}@other.example.com`))).status).toBe(
      202,
    );
  });

  it('refuses an address at a disposable mail service (or under one) before anything is sent', async () => {
    const tag = Date.now();
    for (const email of [`throwaway-${tag}@mailinator.com`, `x-${tag}@sub.mailinator.com`]) {
      const res = await from('192.0.2.88').post('/api/auth/signup', body(email));
      expect(res.status, res.raw).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_SIGNUP_DISPOSABLE_EMAIL');
      expect(res.body.error.message).toMatch(/disposable .*address you will keep/);
      expect(await s.core.notify.mailsTo(s.core.vault.emailIndex(email))).toEqual([]);
    }
    expect((await from('192.0.2.89').post('/api/auth/signup', body(`lasting-${tag}@example.org`))).status).toBe(202);
  });

  it('refuses a weak password before anything is sent, for new and taken addresses alike', async () => {
    const taken = await signUp(s.app);
    const fresh = `weak-${Date.now()}@fresh.example.net`;
    for (const email of [fresh, taken.email]) {
      const res = await from('192.0.2.77').post('/api/auth/signup', { ...body(email), password: 'Password1!' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/too easy to guess|breaches/);
    }
    // Mail is written to the outbox in the request, so the outbox says at once that none was made.
    const templatesTo = async (email: string) =>
      (await s.core.notify.mailsTo(s.core.vault.emailIndex(email))).map((m) => m.template).sort();
    expect(await templatesTo(fresh)).toEqual([]);
    expect(await templatesTo(taken.email)).toEqual(['account.confirm', 'account.welcome']);
  });
});
