// Engine: SQLite only: mail and public pages; the privacy stores run on both engines in privacy-centre and privacy-deletion (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../testkit/client.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { staffSession } from '../testkit/staff.js';
import { until } from '../testkit/wait.js';

describe('e-mail through a real SMTP server', () => {
  let smtp: SmtpSink;
  let s: TestSteward;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({
      engine: 'sqlite',
      env: { STEWARD_SMTP_URL: smtp.url, STEWARD_MAIL_FROM: 'Steward <steward@example.test>' },
    });
    s.core.queue.start();
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('sends the confirmation mail on sign-up and the welcome mail once confirmed, from the outbox, with escaped HTML', async () => {
    await signUp(s.app, { email: 'welcome@example.com', name: 'Ada <b>Lovelace</b>', orgName: 'Engines' });
    // Delivered by jobs, so in no fixed order.
    const mails = await smtp.waitFor(2);
    const subject = (s: string) => mails.find((m) => m.subject === s);
    expect(subject('Confirm your address to finish creating your Steward account')!.body).toContain(
      'Confirm your address, Ada &lt;b&gt;Lovelace&lt;/b&gt;',
    );
    const mail = subject('Welcome to Steward');
    expect(mail!.to).toEqual(['welcome@example.com']);
    expect(mail!.subject).toBe('Welcome to Steward');
    expect(mail!.body).toContain('Ada &lt;b&gt;Lovelace&lt;/b&gt;');
    const welcome = () =>
      s.core.db.selectFrom('outbox').selectAll().where('template', '=', 'account.welcome').executeTakeFirstOrThrow();
    const row = await until('the welcome mail to be sent', async () => {
      const r = await welcome();
      return r.status === 'sent' ? r : undefined;
    });
    expect(row.status).toBe('sent');
    // The outbox keeps the message sealed: no address or name in clear.
    expect(JSON.stringify(row)).not.toContain('welcome@example.com');
    expect(JSON.stringify(row)).not.toContain('Lovelace');
  });

  it('shows the outbox to operators only', async () => {
    const customer = await signUp(s.app);
    expect((await customer.client.get('/api/staff/outbox')).status).toBe(403);
    const ops = (await staffSession(s, ['admin'])).client;
    const list = (await ops.get('/api/staff/outbox')).body.mails;
    expect(list.find((m: { to: string }) => m.to === 'welcome@example.com')).toMatchObject({
      subject: 'Welcome to Steward',
      status: 'sent',
    });
  });
});

describe('e-mail without an SMTP server', () => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
  });
  afterAll(() => s?.close());

  it('holds mail in the outbox for the operator to see', async () => {
    await signUp(s.app, { email: 'held@example.com' });
    const row = await s.core.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('held');
    const ops = (await staffSession(s, ['admin'])).client;
    const list = (await ops.get('/api/staff/outbox?status=held')).body.mails;
    expect(list.map((m: { to: string }) => m.to)).toContain('held@example.com');
  });
});
