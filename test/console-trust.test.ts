// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpStep } from '../src/crypto/totp.js';
import { newId } from '../src/kernel/ids.js';
import { launchChromium, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import {
  createStaff,
  freshCodes,
  signInThroughConsole,
  startConsoleSteward,
  totpCodeFor,
  type ConsoleSteward,
} from '../testkit/console.js';
import { insertReadyServers } from '../testkit/servers.js';
import { staffMember } from './access-kit.js';

/**
 * The issue-18 pages not covered by console-billing and console-terms, in Chromium: personalised recommendations
 * on the overview only after the member consents, the staff fraud and abuse review (suspend from the queue,
 * reinstate), publishing terms of service, and the confidentiality undertaking that keeps a staff member's roles
 * inactive until accepted. The terms and the undertaking go last: once published, they hold customers and staff.
 */
describe('console: recommendations, the abuse review and the staff undertaking', () => {
  let env: ConsoleSteward;
  let browser: Browser;

  beforeAll(async () => {
    env = await startConsoleSteward();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  /** A staff member signed in through the console with a second factor, and fresh codes for later steps. */
  async function staffInConsole(page: Page, roles: ('admin' | 'security' | 'support')[]) {
    const account = await createStaff(env.s, roles);
    const signin = await new TestClient(env.s.app).post('/api/auth/signin', account);
    const api = new TestClient(env.s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    const enrol = await api.post('/api/me/totp/enrol');
    expect((await api.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
    await page.goto('/signin');
    await page.getByLabel('E-mail address').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const usedStep = totpStep(Date.now()) + 1;
    await page.getByLabel('One-time code').fill(totpCodeFor(enrol.body.secret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL((url) => url.pathname !== '/signin');
    return { userId: signin.body.user.id as string, nextCode: freshCodes(enrol.body.secret, usedStep) };
  }

  it(
    'shows recommendations on the overview only after the member consents, and computes none before',
    { timeout: 120_000 },
    async () => {
      const ada = await signUp(env.s.app, { name: 'Ada Owner', orgName: 'Suggestions Ltd' });
      const [web] = (await insertReadyServers(env.s, ada.orgId, ada.userId, 1)) as [string];
      // What discovery and monitoring left for the server: nginx found, and its disk 92 % full.
      await env.s.core.db
        .insertInto('discovery_snapshots')
        .values({
          id: newId('snap'),
          org_id: ada.orgId,
          server_id: web,
          run_id: null,
          taken_at: env.s.core.clock.iso(),
          facts: JSON.stringify({
            applications: [{ kind: 'web_server', name: 'nginx', version: '1.22', location: null, evidence: [] }],
          }),
          changes: '[]',
          summary: '',
          attention: 0,
        })
        .execute();
      expect((await ada.client.put(`/api/orgs/${ada.orgId}/servers/${web}/monitoring`, {})).status).toBe(200);
      await env.s.core.db
        .updateTable('monitoring_targets')
        .set({ latest: JSON.stringify({ at: env.s.core.clock.iso(), values: { 'disk.used_pct': 92.4 }, top: [] }) })
        .where('server_id', '=', web)
        .execute();
      const computed = async () =>
        (
          await env.s.core.db
            .selectFrom('audit_log')
            .select('id')
            .where('action', '=', 'recommendations.computed')
            .where('actor_id', '=', ada.userId)
            .execute()
        ).length;

      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        await signInThroughConsole(page, ada.email, ada.password);
        await page.goto(`/orgs/${ada.orgId}`);
        // 1. Without consent: the overview says they are off, shows nothing personal, and nothing was computed.
        await page.getByText('Personalised recommendations are off.').waitFor();
        expect(await page.getByRole('heading', { name: 'Recommended for you' }).count()).toBe(0);
        expect(await page.locator('main').textContent()).not.toMatch(/92% full|nginx/);
        expect(await computed()).toBe(0);
        expect(await env.s.core.db.selectFrom('recommendations').select('id').execute()).toEqual([]);

        // 2. Consent given in the privacy centre, from the overview's link.
        await page.getByRole('link', { name: 'Turn them on in the privacy centre' }).click();
        await page.getByRole('button', { name: 'Give consent for personalised recommendations' }).click();
        await page.getByRole('button', { name: 'Withdraw consent for personalised recommendations' }).waitFor();

        // 3. Back on the overview: suggestions from the organisation's own discovery and monitoring.
        await page.goto(`/orgs/${ada.orgId}`);
        const section = page.getByRole('region', { name: 'Recommended for you' });
        await section.getByText(/^The disk of web-1\S* is 92% full$/).waitFor();
        await section.getByText(/^nginx on web-1\S* may be behind on security updates$/).waitFor();
        expect(await computed()).toBeGreaterThan(0);
        await screenshot(page, 'overview-recommendations');
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'security staff suspend an organisation from the review queue and reinstate it',
    { timeout: 120_000 },
    async () => {
      const shop: SignedUp = await signUp(env.s.app, { name: 'Olga Owner', orgName: 'Spammy Shop' });
      const raiser = await staffMember(env.s, ['security']);
      const raised = await raiser.client.post(`/api/staff/orgs/${shop.orgId}/review`, {
        summary: 'A hosting provider reported spam from these servers',
      });
      expect(raised.status, raised.raw).toBe(201);
      const standing = async () => (await shop.client.get(`/api/orgs/${shop.orgId}/standing`)).body;

      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        await staffInConsole(page, ['security']);
        await page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Fraud and abuse review' })
          .click();
        await page.getByRole('heading', { level: 1, name: 'Fraud and abuse review' }).waitFor();
        const queued = page.getByRole('table', { name: 'Review items' }).getByRole('row', { name: /Spammy Shop/ });
        await queued.getByText('A hosting provider reported spam from these servers').waitFor();

        // Suspend: the reason asked for is what the members read.
        const answers = ['Spam reported from your servers; we are looking into it.', 'The spam plugin was removed.'];
        page.on('dialog', (dialog) => void dialog.accept(answers.shift()));
        await page.getByRole('button', { name: 'Suspend Spammy Shop' }).click();
        const suspended = page.getByRole('table', { name: 'Suspended organisations' }).getByRole('row', {
          name: /Spammy Shop/,
        });
        await suspended.getByText('Spam reported from your servers; we are looking into it.').waitFor();
        expect(await standing()).toMatchObject({
          suspended: true,
          reason: 'Spam reported from your servers; we are looking into it.',
        });
        await queued.getByText('suspended', { exact: true }).waitFor();
        expect(await page.getByRole('button', { name: 'Suspend Spammy Shop' }).count()).toBe(0);
        await screenshot(page, 'staff-abuse-review');
        expect(await seriousAxeViolations(page)).toEqual([]);

        // Reinstate, with a note for the members.
        await page.getByRole('button', { name: 'Reinstate Spammy Shop' }).click();
        await suspended.waitFor({ state: 'detached' });
        expect(answers).toEqual([]);
        expect((await standing()).suspended).toBe(false);
        const actions = (
          await env.s.core.db.selectFrom('audit_log').select('action').where('org_id', '=', shop.orgId).execute()
        ).map((a) => a.action);
        expect(actions).toEqual(expect.arrayContaining(['review.raised', 'org.suspended', 'org.reinstated']));
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'an admin publishes material terms on the privacy operations page, and customers are held until they accept',
    { timeout: 120_000 },
    async () => {
      const customer = await signUp(env.s.app, { name: 'Tess Customer' });
      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        await staffInConsole(page, ['admin']);
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Privacy operations' }).click();
        const form = page.locator('section', {
          has: page.getByRole('heading', { name: 'Publish a terms of service version' }),
        });
        await form.getByLabel('Terms version').fill('tos-1');
        await form.getByLabel('Terms title').fill('Steward Terms of Service');
        await form.getByLabel('Text of the terms').fill('Clause 1: servers are yours.');
        await form.getByLabel('Summary of the changes').fill('Clause 1 is new.');
        await form.getByRole('radio', { name: /^Material/ }).check();
        await form.getByRole('button', { name: 'Publish the terms…' }).click();
        const confirm = page.getByRole('dialog', { name: 'Publish terms version tos-1?' });
        await confirm.getByText(/material change: every person is e-mailed/).waitFor();
        expect(await seriousAxeViolations(page)).toEqual([]);
        await confirm.getByRole('button', { name: 'Publish terms version tos-1' }).click();
        await page.getByRole('status').getByText('Terms version tos-1 are published.').waitFor();

        const current = (await new TestClient(env.s.app).get('/api/terms')).body.terms;
        expect(current).toMatchObject({ version: 'tos-1', material: true, changes: 'Clause 1 is new.' });
        const held = await customer.client.get(`/api/orgs/${customer.orgId}`);
        expect(held.status).toBe(403);
        expect(held.body.error.code).toBe('STEWARD_TERMS_NOT_ACCEPTED');
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'an admin publishes the undertaking; another staff member is held at it until they accept with a fresh code',
    { timeout: 240_000 },
    async () => {
      // 1. The admin publishes version 1 with a fresh code; publishing records their own acceptance.
      const a = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      try {
        const admin = await staffInConsole(a.page, ['admin']);
        await a.page
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Confidentiality undertaking' })
          .click();
        await a.page.getByText('The operator has not published an undertaking yet.').waitFor();
        const form = a.page.locator('section', { has: a.page.getByRole('heading', { name: 'Publish a new version' }) });
        await form.getByLabel('Version').fill('1');
        await form
          .getByLabel('Text of the undertaking')
          .fill('I keep what I learn about customers confidential.\n\nI reach their servers only under a grant.');
        await form.getByLabel('Your one-time code').fill(await admin.nextCode());
        await form.getByRole('button', { name: 'Publish this version' }).click();
        await a.page
          .getByRole('status')
          .getByText(/Version 1 is published/)
          .waitFor();
        await a.page.getByRole('heading', { level: 2, name: 'Staff confidentiality undertaking, version 1' }).waitFor();
        await a.page.getByText(/You accepted this version on/).waitFor();
        expect(await seriousAxeViolations(a.page)).toEqual([]);
        expect(a.errors).toEqual([]);
      } finally {
        await a.close();
      }

      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        const support = await staffInConsole(page, ['support']);
        // 2. The staff area says the roles are inactive and leads to the undertaking; so does any staff page.
        await page.getByText('Your staff roles are inactive').waitFor();
        await page.goto('/staff/grants');
        await page.getByText('Your staff roles are inactive').waitFor();
        expect(await page.getByRole('heading', { level: 1, name: 'My grants' }).count()).toBe(0);
        await page.getByRole('link', { name: 'read and accept it' }).click();
        await page.getByRole('heading', { level: 1, name: 'Confidentiality undertaking' }).waitFor();
        await page.getByRole('heading', { level: 2, name: 'Staff confidentiality undertaking, version 1' }).waitFor();
        await page.getByText('I reach their servers only under a grant.').waitFor();
        expect(await page.getByRole('heading', { name: 'Publish a new version' }).count()).toBe(0);

        // 3. A wrong code is refused and nothing is recorded; a fresh one accepts it.
        const code = page.getByLabel('One-time code', { exact: true });
        await code.fill('000000');
        await page.getByRole('button', { name: 'I accept this undertaking' }).click();
        await page.getByText('The undertaking was not accepted').waitFor();
        const acceptances = () =>
          env.s.core.db
            .selectFrom('undertaking_acceptances')
            .select(['second_factor'])
            .where('user_id', '=', support.userId)
            .execute();
        expect(await acceptances()).toEqual([]);
        await code.fill(await support.nextCode());
        await page.getByRole('button', { name: 'I accept this undertaking' }).click();
        await page.getByText(/You accepted this version on \d{4}-\d{2}-\d{2}\./).waitFor();
        expect(await acceptances()).toEqual([{ second_factor: 'totp' }]);
        expect(await seriousAxeViolations(page)).toEqual([]);

        // 4. The roles are active again: the staff pages work.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My grants' }).click();
        await page.getByRole('heading', { level: 1, name: 'My grants' }).waitFor();
        expect(await page.getByText('Your staff roles are inactive').count()).toBe(0);
        await screenshot(page, 'staff-undertaking-accepted');
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );
});
