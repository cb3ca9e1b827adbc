// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../testkit/canary.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { createStaff, startConsoleSteward, totpCodeFor, type ConsoleSteward } from '../testkit/console.js';
import { settled } from '../testkit/privacy.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';

/**
 * Privacy operations in the console, as an admin staff member with a second factor: an acquisition transfer
 * that cannot be marked done until its notices went out, a significant policy version that customers then
 * see, and a masked field revealed with a reason that the internal review lists. The revealed value is never
 * in an address or in storage. Then screenshots and axe in both themes.
 */
describe('console: privacy operations, internal review and revealing a masked field', () => {
  let smtp: SmtpSink;
  let env: ConsoleSteward;
  let browser: Browser;
  let customer: SignedUp;
  let staff: { email: string; password: string; totpSecret: string; userId: string };
  const phone = `+44 20 7946 ${String(Math.floor(1000 + Math.random() * 8999))}`;
  const version = `2026-op-${Math.random().toString(36).slice(2, 7)}`;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    env = await startConsoleSteward({ jobs: true, env: { STEWARD_SMTP_URL: smtp.url } });
    browser = await launchChromium();
    customer = await signUp(env.s.app, { name: 'Cleo Customer', orgName: 'Operator Shop Ltd', phone });
    const account = await createStaff(env.s, ['admin']);
    const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
      email: account.email,
      password: account.password,
    });
    const client = new TestClient(env.s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    const enrol = await client.post('/api/me/totp/enrol');
    expect((await client.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
    staff = { ...account, totpSecret: enrol.body.secret, userId: signin.body.user.id };
    // A visitor who accepted the banner: two pages from a search engine, and a download.
    const visitor = {
      ip: '198.51.100.7',
      headers: { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0' },
      visitorCookie: 'operatorvisitorcookie1',
      userId: undefined,
    };
    for (const [i, input] of (
      [
        { kind: 'pageview', path: '/pricing', referrer: 'https://search.example/q' },
        { kind: 'pageview', path: '/pricing' },
        { kind: 'download', path: '/files/steward-guide.pdf' },
      ] as const
    ).entries()) {
      expect(
        (
          await env.s.core.privacy.analytics.collect(
            { ...input, language: 'en-GB' },
            { ...visitor, requestId: `req_seed${i}` },
          )
        ).stored,
      ).toBe(true);
    }
    await settled(env.s);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await smtp?.close();
  });

  const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

  it(
    'marketing sees the analytics dashboard only: no register, no policy form, no review in the menu',
    { timeout: 120_000 },
    async () => {
      const account = await createStaff(env.s, ['marketing']);
      const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
        email: account.email,
        password: account.password,
      });
      const client = new TestClient(env.s.app, {
        cookie: String(signin.headers['set-cookie']).split(';')[0]!,
        csrf: signin.body.csrfToken,
      });
      const enrol = await client.post('/api/me/totp/enrol');
      expect((await client.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
      const t = await openPage(browser, env.baseUrl);
      const m = t.page;
      try {
        await m.goto('/signin');
        await m.getByLabel('E-mail address').fill(account.email);
        await m.getByLabel('Password').fill(account.password);
        await m.getByRole('button', { name: 'Sign in' }).click();
        await m.getByLabel('One-time code').fill(totpCodeFor(enrol.body.secret, 1));
        await m.getByRole('button', { name: 'Verify and sign in' }).click();
        await m.waitForURL((url) => url.pathname !== '/signin');
        const menu = m.getByRole('navigation', { name: 'Main' });
        await menu.getByRole('link', { name: 'Privacy operations' }).click();
        await heading(m, 'Privacy operations');
        await m.getByRole('table', { name: 'Top pages' }).getByRole('row', { name: '/pricing 2' }).waitFor();
        expect(await m.getByRole('heading', { name: 'Disclosure register' }).count()).toBe(0);
        expect(await m.getByRole('heading', { name: 'Publish a policy version' }).count()).toBe(0);
        expect(await menu.getByRole('link', { name: 'Internal review' }).count()).toBe(0);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
        await screenshot(m, 'operator-privacy-ops-marketing');
      } finally {
        await t.close().catch(() => undefined);
      }
    },
  );

  it(
    'records a transfer, publishes a policy, reveals a field and finds the reveal in the review',
    { timeout: 300_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const o = t.page;
      try {
        // Sign in with the password and a one-time code.
        await o.goto('/signin');
        await o.getByLabel('E-mail address').fill(staff.email);
        await o.getByLabel('Password').fill(staff.password);
        await o.getByRole('button', { name: 'Sign in' }).click();
        await o.getByLabel('One-time code').fill(totpCodeFor(staff.totpSecret, 1));
        await o.getByRole('button', { name: 'Verify and sign in' }).click();
        await o.waitForURL((url) => url.pathname !== '/signin');

        // 1. An acquisition transfer: refused as done until the notices went out, then done.
        await o.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy operations' }).click();
        await heading(o, 'Privacy operations');
        await o.getByText('Nothing has been disclosed.').waitFor();
        await o.getByRole('button', { name: 'Record a disclosure' }).click();
        const record = o.getByRole('dialog', { name: 'Record a disclosure' });
        await record.getByLabel('Kind').selectOption('transfer');
        await record.getByLabel('Recipient').fill('Acme Holdings');
        await record.getByLabel('What and why').fill('Acme acquires the operator of this Steward.');
        await record.getByLabel('Data categories (comma-separated)').fill('account, contact');
        await record.getByRole('button', { name: 'Record it' }).click();
        await o.getByRole('status').getByText('Recorded: merger or acquisition transfer to Acme Holdings.').waitFor();
        const row = o.getByRole('region', { name: 'Disclosure register' }).getByRole('row', { name: /Acme Holdings/ });
        await row.getByText('planned', { exact: true }).waitFor();
        await row.getByRole('button', { name: /^Mark done/ }).click();
        const refusal = o.getByRole('alert').filter({ hasText: 'The transfer cannot be marked done yet' });
        await refusal.waitFor();
        expect(await refusal.textContent()).toMatch(/notice/i);
        await screenshot(o, 'operator-transfer-refused');
        const stored = await env.s.core.db.selectFrom('disclosures').select(['id', 'status']).execute();
        expect(stored.map((d) => d.status)).toEqual(['planned']);
        await row.getByRole('button', { name: /^Send notices/ }).click();
        await o
          .getByRole('status')
          .getByText(/Notices of the transfer to Acme Holdings are on their way/)
          .waitFor();
        expect(await refusal.count()).toBe(0);
        await settled(env.s);
        const people = (await env.s.core.db.selectFrom('users').select('id').where('status', '=', 'active').execute())
          .length;
        await row.getByText(`${people} of ${people} notices delivered`).waitFor({ timeout: 10_000 });
        await row.getByRole('button', { name: /^Mark done/ }).click();
        await o.getByRole('status').getByText('The transfer to Acme Holdings is recorded as done.').waitFor();
        await row.getByText('done', { exact: true }).waitFor();
        expect((await env.s.core.db.selectFrom('disclosures').select('status').executeTakeFirstOrThrow()).status).toBe(
          'done',
        );
        expect(
          smtp.mails.filter(
            (m) => m.subject.startsWith('Notice: your data will move') && m.to.includes(customer.email),
          ),
        ).toHaveLength(1);

        // A partner with its agreement, and a legal request with its basis, land in the register with their grounds.
        const add = async (kind: string, fill: (d: typeof record) => Promise<void>) => {
          await o.getByRole('button', { name: 'Record a disclosure' }).click();
          await record.getByLabel('Kind').selectOption(kind);
          await fill(record);
          await record.getByRole('button', { name: 'Record it' }).click();
          await record.waitFor({ state: 'hidden' });
        };
        await add('partner', async (d) => {
          await d.getByLabel('Recipient').fill('Mailer Ltd');
          await d.getByLabel('What and why').fill('Sends our transactional mail.');
          await d.getByLabel('Confidentiality agreement reference').fill('NDA-2026-14');
          await d.getByLabel('Data categories (comma-separated)').fill('contact');
        });
        await add('legal', async (d) => {
          await d.getByLabel('Recipient').fill('District Court');
          await d.getByLabel('What and why').fill('Order to produce account records.');
          await d.getByLabel('Legal basis').selectOption('court_order');
          await d.getByLabel('Reference of the request').fill('CV-2026-881');
          await d.getByLabel('Data categories (comma-separated)').fill('account');
        });
        const register = o.getByRole('region', { name: 'Disclosure register' });
        await register
          .getByRole('row', { name: /Mailer Ltd/ })
          .getByText('Agreement NDA-2026-14')
          .waitFor();
        await register
          .getByRole('row', { name: /District Court/ })
          .getByText('court order (CV-2026-881)')
          .waitFor();
        expect(
          (await env.s.core.db.selectFrom('disclosures').select('kind').execute()).map((d) => d.kind).sort(),
        ).toEqual(['legal', 'partner', 'transfer']);

        // 2. A significant policy version, confirmed in a dialog; the customer then has a notice to acknowledge.
        expect((await customer.client.get('/api/me/policy-notice')).body.notice?.version).not.toBe(version);
        await o.getByLabel('Version', { exact: true }).fill(version);
        await o.getByLabel('Title', { exact: true }).fill('Clearer retention periods');
        await o.getByLabel('Text of the policy').fill('We keep analytics events for 13 months.');
        await o.getByLabel('What changed').fill('Retention periods are stated for every kind of data.');
        await o.getByRole('radio', { name: /Significant/ }).check();
        await o.getByRole('button', { name: 'Publish…' }).click();
        const confirm = o.getByRole('dialog', { name: `Publish version ${version}?` });
        await confirm.getByText(/significant change/).waitFor();
        await screenshot(o, 'operator-policy-confirm');
        await confirm.getByRole('button', { name: `Publish version ${version}` }).click();
        await o.getByRole('status').getByText(`Version ${version} is published.`).waitFor();
        const notice = (await customer.client.get('/api/me/policy-notice')).body.notice;
        expect(notice).toMatchObject({ version, significant: true, title: 'Clearer retention periods' });
        // The dashboard: the visitor's pages, referring site and download as tables (and bars).
        const dashboard = o.getByRole('region', { name: 'Analytics, last 30 days' });
        await dashboard.getByRole('table', { name: 'Top pages' }).getByRole('row', { name: '/pricing 2' }).waitFor();
        await dashboard
          .getByRole('table', { name: 'Referring sites' })
          .getByRole('row', { name: 'search.example 1' })
          .waitFor();
        await dashboard
          .getByRole('table', { name: 'Downloads' })
          .getByRole('row', { name: /steward-guide\.pdf 1/ })
          .waitFor();
        expect(
          await dashboard.getByRole('img', { name: 'Top pages: the same counts as bars' }).locator('rect').count(),
        ).toBe(1);
        await screenshot(o, 'operator-privacy-ops');

        // 3. People of the customer's organisation: the phone is masked; revealing it takes a reason.
        await o
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'People of an organisation' })
          .click();
        await heading(o, 'People of an organisation');
        await o.getByLabel('Organisation id').fill(customer.orgId);
        await o.getByLabel('Reason', { exact: true }).fill('Ticket 77: checking the account owner');
        await o.getByRole('button', { name: 'Show the people' }).click();
        const person = o.getByRole('row', { name: /Cleo Customer/ });
        await person.getByText('masked').waitFor();
        expect(await person.textContent()).not.toContain(phone);
        await person.getByRole('button', { name: 'Reveal the phone of Cleo Customer' }).click();
        const reveal = o.getByRole('dialog', { name: 'Reveal the phone of Cleo Customer' });
        await reveal.getByRole('button', { name: 'Reveal' }).click();
        // An empty reason is refused by the form itself: nothing revealed.
        expect(await reveal.getByLabel('Revealed phone').count()).toBe(0);
        await reveal.getByLabel('Reason').fill('Ticket 77: call back requested');
        await reveal.getByRole('button', { name: 'Reveal' }).click();
        await expect.poll(() => reveal.getByLabel('Revealed phone').textContent()).toBe(phone);
        await screenshot(o, 'operator-reveal');
        // Canary: while the value is on screen, it is in no address and no storage.
        const during = await leakSurfaces(t);
        expect(
          findLeaks(
            `${during.urls}\n${during.localStorage}\n${during.sessionStorage}`,
            { phone },
            'url or storage',
            false,
          ),
        ).toEqual([]);
        expect(o.url()).not.toContain(phone.replace(/\s/g, ''));
        await reveal.getByRole('button', { name: 'Done' }).click();
        expect(await o.getByText(phone).count()).toBe(0);

        // 4. The internal review lists the reveal with its reason.
        await o.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Internal review' }).click();
        await heading(o, 'Internal review');
        const reads = o.getByRole('region', { name: 'Reads of personal data' });
        const revealRow = reads.getByRole('row', { name: /personal_data\.revealed/ });
        await revealRow.getByText('Ticket 77: call back requested').waitFor();
        expect(await revealRow.getByRole('rowheader').textContent()).toBe(`Sam Operator ${staff.userId}`);
        expect(await revealRow.textContent()).toContain('phone');
        await screenshot(o, 'operator-review');

        // 5. Nothing of the revealed value anywhere it could stay; no CSP refusal or page error.
        const after = await leakSurfaces(t);
        expect(findLeaks(Object.values(after).join('\n'), { phone }, 'after')).toEqual([]);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);

        // 6. The new pages in both themes: screenshots and no serious or critical axe violations.
        const problems: string[] = [];
        const pages: [string, string, (p: Page) => Promise<void>][] = [
          ['privacy-ops', '/staff/privacy-ops', (p) => p.getByRole('row', { name: /Acme Holdings/ }).waitFor()],
          ['review', '/staff/review', (p) => p.getByText('Ticket 77: call back requested').waitFor()],
          ['people', '/staff/people', (p) => p.getByText('Nothing read yet').waitFor()],
        ];
        for (const theme of ['light', 'dark'] as const) {
          const v = await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
          await v.context.addCookies(await t.context.cookies());
          for (const [name, path, ready] of pages) {
            await v.page.goto(path);
            await v.page.getByRole('heading', { level: 1 }).waitFor();
            await ready(v.page);
            await screenshot(v.page, `operator-${name}-${theme}`);
            for (const x of await seriousAxeViolations(v.page))
              problems.push(`${name} (${theme}): ${x.id} ${x.help} at ${x.targets.join(', ')}`);
          }
          await v.close();
        }
        expect(problems).toEqual([]);
      } catch (err) {
        await screenshot(o, 'operator-failure').catch(() => undefined);
        throw err;
      } finally {
        await t.close().catch(() => undefined);
      }
    },
  );
});
