// Engine: SQLite only: mail and public pages; the privacy stores run on both engines in privacy-centre and privacy-deletion (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../testkit/smtp.js';
import { settled as settle, staffMember } from '../testkit/privacy.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** The unsubscribe link of a mail, as a path and query on Steward (the body is plain text and HTML). */
function unsubscribeLink(mail: ReceivedMail): string {
  const m = /https?:\/\/[^\s"<>]+\/unsubscribe\?token=[A-Za-z0-9_.-]+/.exec(mail.body.replace(/=\r?\n/g, ''));
  if (!m) throw new Error(`no unsubscribe link in:\n${mail.body}`);
  const url = new URL(m[0]);
  return `${url.pathname}${url.search}`;
}

describe('promotional mail, consent, unsubscribe and suppression (real SMTP server)', () => {
  let smtp: SmtpSink;
  let s: TestSteward;
  let alice: SignedUp;
  let bob: SignedUp;
  let carol: SignedUp;
  let marketing: TestClient;
  const to = (who: SignedUp, subject: string) =>
    smtp.mails.filter((m) => m.to.includes(who.email) && m.subject === subject);

  const settled = () => settle(s);

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({
      engine: 'sqlite',
      env: {
        STEWARD_SMTP_URL: smtp.url,
        STEWARD_PUBLIC_URL: 'https://steward.example.test',
        STEWARD_REFERRALS_PER_DAY: '3',
      },
    });
    s.core.queue.start();
    alice = await signUp(s.app, { name: 'Alice' });
    bob = await signUp(s.app, { name: 'Bob' });
    carol = await signUp(s.app, { name: 'Carol' });
    marketing = (await staffMember(s, ['marketing'])).client;
    await smtp.waitFor(3);
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('sends a promotion only to people who consented, with one-click unsubscribe headers and link', async () => {
    for (const who of [alice, carol])
      expect((await who.client.post('/api/me/consents', { purpose: 'promotions', granted: true })).status).toBe(200);
    const res = await marketing.post('/api/staff/promotions', {
      purpose: 'promotions',
      subject: 'Spring news',
      body: 'Steward now discovers more.\n\nThank you for reading.',
    });
    expect(res.status, res.raw).toBe(202);
    await settled();
    expect(to(alice, 'Spring news')).toHaveLength(1);
    expect(to(carol, 'Spring news')).toHaveLength(1);
    expect(to(bob, 'Spring news')).toHaveLength(0);
    const mail = to(alice, 'Spring news')[0]!;
    expect(mail.headers['list-unsubscribe']).toMatch(
      /^<https:\/\/steward\.example\.test\/unsubscribe\?token=[A-Za-z0-9_.-]+>$/,
    );
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
    expect(unsubscribeLink(mail)).toContain('/unsubscribe?token=');
  });

  it('never sends promotional mail without consent, even when something queues it directly', async () => {
    const link = 'https://steward.example.test/unsubscribe?token=x';
    await s.core.db.transaction().execute((trx) =>
      s.core.notify.queueMail(trx, {
        to: bob.email,
        scope: bob.userId,
        category: 'promotional',
        template: 'privacy.promotion',
        vars: { subject: 'Sneaky', body: 'x', unsubscribeUrl: link },
        headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    );
    await settled();
    const row = await s.core.db
      .selectFrom('outbox')
      .selectAll()
      .where('template', '=', 'privacy.promotion')
      .where('to_bidx', '=', s.core.vault.emailIndex(bob.email))
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('suppressed');
    expect(to(bob, 'Sneaky')).toHaveLength(0);
    // And promotional mail without the unsubscribe headers is refused outright.
    await expect(
      s.core.db.transaction().execute((trx) =>
        s.core.notify.queueMail(trx, {
          to: bob.email,
          scope: bob.userId,
          category: 'promotional',
          template: 'privacy.promotion',
          vars: {},
        }),
      ),
    ).rejects.toThrow(/List-Unsubscribe/);
  });

  it('unsubscribes from the link in the mail, without a session; the next promotion skips that person', async () => {
    const link = unsubscribeLink(to(carol, 'Spring news')[0]!);
    const anon = new TestClient(s.app);
    const page = await anon.get(link);
    expect(page.status).toBe(200);
    expect(page.raw).toContain('<form method="post"');
    // Showing the page changed nothing (link scanners fetch GETs).
    expect(
      (await carol.client.get('/api/me/consents')).body.current.find(
        (c: { purpose: string }) => c.purpose === 'promotions',
      ).granted,
    ).toBe(true);
    const done = await anon.request('POST', link, 'List-Unsubscribe=One-Click', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(done.status, done.raw).toBe(200);
    expect(done.raw).toContain('You are unsubscribed');
    const consents = (await carol.client.get('/api/me/consents')).body;
    expect(consents.current.find((c: { purpose: string }) => c.purpose === 'promotions')).toMatchObject({
      granted: false,
      source: 'unsubscribe_link',
    });
    expect(consents.history.map((h: { granted: boolean }) => h.granted)).toEqual([false, true]);

    await marketing.post('/api/staff/promotions', { purpose: 'promotions', subject: 'Summer news', body: 'More.' });
    await settled();
    expect(to(alice, 'Summer news')).toHaveLength(1);
    expect(to(carol, 'Summer news')).toHaveLength(0);
    // A damaged link says so, and changes nothing.
    expect(
      (
        await anon.request('POST', `${link.slice(0, -3)}abc`, 'List-Unsubscribe=One-Click', {
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(400);
  });

  it('refers a friend only with the member’s consent; the friend opts out for good', async () => {
    const friend = `friend-${Date.now()}@example.org`;
    const refused = await alice.client.post('/api/me/referrals', { friendEmail: friend });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('STEWARD_CONSENT_REQUIRED');
    await alice.client.post('/api/me/consents', { purpose: 'referrals', granted: true });
    expect((await alice.client.post('/api/me/referrals', { friendEmail: friend })).status).toBe(202);
    await settled();
    const invite = smtp.mails.filter((m) => m.to.includes(friend));
    expect(invite).toHaveLength(1);
    expect(invite[0]!.subject).toBe('Alice invites you to Steward');
    expect(invite[0]!.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    // The friend's mail client unsubscribes with one click: no cookie, no session, just the link.
    const oneClick = await new TestClient(s.app).request(
      'POST',
      unsubscribeLink(invite[0]!),
      'List-Unsubscribe=One-Click',
      { 'content-type': 'application/x-www-form-urlencoded' },
    );
    expect(oneClick.status).toBe(200);
    expect(
      await s.core.db
        .selectFrom('suppressions')
        .selectAll()
        .where('email_bidx', '=', s.core.vault.emailIndex(friend))
        .executeTakeFirst(),
    ).toMatchObject({ reason: 'referral_opt_out' });

    // Nobody can mail that address again: another member's referral is accepted but sends nothing.
    await bob.client.post('/api/me/consents', { purpose: 'referrals', granted: true });
    expect((await bob.client.post('/api/me/referrals', { friendEmail: friend.toUpperCase() })).status).toBe(202);
    const link = 'https://steward.example.test/unsubscribe?token=y';
    await s.core.db.transaction().execute((trx) =>
      s.core.notify.queueMail(trx, {
        to: friend,
        scope: bob.userId,
        category: 'promotional',
        template: 'privacy.referral',
        vars: { referrerName: 'Bob', url: '', unsubscribeUrl: link },
        headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      }),
    );
    await settled();
    expect(smtp.mails.filter((m) => m.to.includes(friend))).toHaveLength(1);
    expect((await bob.client.get('/api/me/referrals')).body.referrals[0].status).toBe('suppressed');
  });

  it('limits referrals per member per day', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++)
      codes.push(
        (await bob.client.post('/api/me/referrals', { friendEmail: `limit-${i}-${Date.now()}@example.org` })).status,
      );
    // Bob already made one today; the limit is three.
    expect(codes).toEqual([202, 202, 429, 429]);
  });

  it('keeps the audit chain intact and names no address in it', async () => {
    expect((await s.core.audit.verify()).broken).toBeUndefined();
    const audit = JSON.stringify(await s.core.db.selectFrom('audit_log').selectAll().execute());
    for (const who of [alice, bob, carol]) expect(audit).not.toContain(who.email);
    expect(audit).toContain('consent.withdrawn');
    expect(audit).toContain('suppression.added');
  });
});
