import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpAt, totpStep } from '../src/crypto/totp.js';
import { ENGINES } from '../testkit/db.js';
import { signUp, TestClient } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { Secret } from '../src/kernel/secret.js';

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

describe.each(ENGINES)('accounts and sessions (%s)', (engine) => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ engine, env: { STEWARD_SIGNIN_ATTEMPTS: '5' } });
  });
  afterAll(() => s?.close());

  it('signs up, reads the session, signs out and the cookie stops working', async () => {
    const a = await signUp(s.app, { name: 'Ada Lovelace', orgName: 'Analytical' });
    const session = await a.client.get('/api/auth/session');
    expect(session.status).toBe(200);
    expect(session.body.user.name).toBe('Ada Lovelace');
    expect(session.body.orgs).toEqual([expect.objectContaining({ id: a.orgId, name: 'Analytical', role: 'owner' })]);
    expect(session.body.csrfToken).toBe(a.client.auth.csrf);

    const out = await a.client.post('/api/auth/signout');
    expect(out.status).toBe(204);
    const after = await a.client.get('/api/auth/session');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('STEWARD_UNAUTHENTICATED');
  });

  it('sets a hardened session cookie', async () => {
    const a = await signUp(s.app);
    const res = await new TestClient(s.app).post('/api/auth/signin', { email: a.email, password: a.password });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
  });

  it('refuses a state change with the cookie but without the CSRF token', async () => {
    const a = await signUp(s.app);
    const noCsrf = new TestClient(s.app, { cookie: a.client.auth.cookie });
    const res = await noCsrf.patch(`/api/orgs/${a.orgId}`, { name: 'Renamed' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('STEWARD_CSRF');
    const wrong = new TestClient(s.app, { cookie: a.client.auth.cookie, csrf: 'x'.repeat(43) });
    expect((await wrong.patch(`/api/orgs/${a.orgId}`, { name: 'Renamed' })).status).toBe(403);
    expect((await a.client.patch(`/api/orgs/${a.orgId}`, { name: 'Renamed' })).status).toBe(200);
  });

  it('answers wrong e-mail and wrong password alike, and rate-limits failures', async () => {
    const a = await signUp(s.app);
    const anon = new TestClient(s.app);
    const wrongPw = await anon.post('/api/auth/signin', { email: a.email, password: 'not the password at all' });
    const noUser = await anon.post('/api/auth/signin', {
      email: `nobody-${Date.now()}@example.com`,
      password: 'not the password at all',
    });
    expect(wrongPw.status).toBe(401);
    expect(noUser.status).toBe(401);
    expect(wrongPw.body.error.message).toBe(noUser.body.error.message);
  });

  it('slows an attacker’s address with growing waits instead of locking the owner out', async () => {
    const a = await signUp(s.app);
    const attacker = new TestClient(s.app, { from: '198.51.100.7' });
    const owner = new TestClient(s.app, { from: '203.0.113.9' });
    // STEWARD_SIGNIN_ATTEMPTS=5: five failures from one address cost nothing but themselves...
    for (let i = 0; i < 5; i++)
      expect(
        (await attacker.post('/api/auth/signin', { email: a.email, password: `wrong password ${i}` })).status,
      ).toBe(401);
    // ...then every further try from there must wait, even with the right password, and says how long.
    const slowed = await attacker.post('/api/auth/signin', { email: a.email, password: a.password });
    expect(slowed.status).toBe(429);
    expect(slowed.body.error.code).toBe('STEWARD_RATE_LIMITED');
    expect(Number(slowed.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(slowed.body.error.message).toMatch(/wait \d+ seconds?/);
    // The owner, from their own address, signs in at once: ten failures no longer lock anyone out.
    const ownerIn = await owner.post('/api/auth/signin', { email: a.email, password: a.password });
    expect(ownerIn.status, ownerIn.raw).toBe(200);
  });

  it('issues hashed API tokens that work until revoked', async () => {
    const a = await signUp(s.app);
    const created = await a.client.post('/api/me/tokens', { name: 'ci' });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token.startsWith('stw_')).toBe(true);
    const stored = await s.core.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token.slice(4));
    const byToken = new TestClient(s.app, { token });
    expect((await byToken.get('/api/me')).body.email).toBe(a.email);
    // Tokens need no CSRF header: they are not sent by browsers on their own.
    expect((await byToken.patch('/api/me', { name: 'Token User' })).status).toBe(200);
    expect((await a.client.delete(`/api/me/tokens/${created.body.id}`)).status).toBe(204);
    expect((await byToken.get('/api/me')).status).toBe(401);
  });

  it('enrols TOTP, then requires a fresh code at sign-in and refuses a replayed one', async () => {
    const a = await signUp(s.app);
    const enrol = await a.client.post('/api/me/totp/enrol');
    expect(enrol.status).toBe(200);
    const secret = base32Decode(enrol.body.secret);
    const code = totpAt(secret, totpStep(Date.now()));
    expect((await a.client.post('/api/me/totp/confirm', { code })).status).toBe(204);

    const anon = new TestClient(s.app);
    const noCode = await anon.post('/api/auth/signin', { email: a.email, password: a.password });
    expect(noCode.body.error.code).toBe('STEWARD_TOTP_REQUIRED');
    const replay = await anon.post('/api/auth/signin', { email: a.email, password: a.password, totpCode: code });
    expect(replay.status).toBe(401);
    const next = totpAt(secret, totpStep(Date.now()) + 1);
    const ok = await anon.post('/api/auth/signin', { email: a.email, password: a.password, totpCode: next });
    expect(ok.status).toBe(200);
  });

  it('keeps staff to second-factor enrolment until they have one', async () => {
    const email = `op-${Date.now()}@example.com`;
    await s.core.users.createStaff(
      { email, password: new Secret('operator password 1'), name: 'Op', roles: ['admin'] },
      { type: 'system' },
      {},
    );
    const anon = new TestClient(s.app);
    const signin = await anon.post('/api/auth/signin', { email, password: 'operator password 1' });
    expect(signin.status).toBe(200);
    const staff = new TestClient(s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0],
      csrf: signin.body.csrfToken,
    });
    const blocked = await staff.get('/api/staff/jobs');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('STEWARD_TOTP_ENROLMENT_REQUIRED');
    const enrol = await staff.post('/api/me/totp/enrol');
    const code = totpAt(base32Decode(enrol.body.secret), totpStep(Date.now()));
    expect((await staff.post('/api/me/totp/confirm', { code })).status).toBe(204);
    expect((await staff.get('/api/staff/jobs')).status).toBe(200);
  });

  it('changing the password ends the other sessions', async () => {
    const a = await signUp(s.app);
    const anon = new TestClient(s.app);
    const other = await anon.post('/api/auth/signin', { email: a.email, password: a.password });
    const second = new TestClient(s.app, {
      cookie: String(other.headers['set-cookie']).split(';')[0],
      csrf: other.body.csrfToken,
    });
    expect(
      (await a.client.post('/api/me/password', { currentPassword: a.password, newPassword: 'a brand new password' }))
        .status,
    ).toBe(204);
    expect((await second.get('/api/me')).status).toBe(401);
    expect((await a.client.get('/api/me')).status).toBe(200);
  });

  it('invitations are bound to the invitee’s e-mail address and work once', async () => {
    const owner = await signUp(s.app);
    const invitee = await signUp(s.app);
    const stranger = await signUp(s.app);
    const inv = await owner.client.post(`/api/orgs/${owner.orgId}/invitations`, {
      email: invitee.email.toUpperCase(),
      role: 'member',
    });
    expect(inv.status).toBe(201);
    expect((await stranger.client.post('/api/invitations/accept', { token: inv.body.token })).status).toBe(404);
    const accepted = await invitee.client.post('/api/invitations/accept', { token: inv.body.token });
    expect(accepted.status).toBe(200);
    expect(accepted.body.role).toBe('member');
    expect((await invitee.client.post('/api/invitations/accept', { token: inv.body.token })).status).toBe(404);
    // A member cannot list invitations or invite.
    expect((await invitee.client.get(`/api/orgs/${owner.orgId}/invitations`)).status).toBe(403);
    expect(
      (await invitee.client.post(`/api/orgs/${owner.orgId}/invitations`, { email: 'x@example.com', role: 'owner' }))
        .status,
    ).toBe(403);
  });
});
