// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../src/core/billing/billing.rules.js';
import { launchChromium, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import {
  createStaff,
  signInThroughConsole,
  startConsoleSteward,
  totpCodeFor,
  type ConsoleSteward,
} from '../testkit/console.js';
import { staffMember } from '../testkit/privacy.js';
import { insertReadyServers } from '../testkit/servers.js';

/**
 * Billing and standing in the browser: the customer's invoices listed with their PDFs to download, and a suspended
 * organisation's members told why, with the appeal sent from the banner.
 */
describe('console: billing and suspension', () => {
  let env: ConsoleSteward;
  let browser: Browser;
  let owner: SignedUp;
  let number: string;
  const password = `Billing-console-${Math.random().toString(36).slice(2)}`;

  beforeAll(async () => {
    env = await startConsoleSteward();
    browser = await launchChromium();
    owner = await signUp(env.s.app, { name: 'Bea Buyer', orgName: 'Console Billing Ltd', password });
    const admin = await staffMember(env.s, ['admin', 'security']);
    const plan = await admin.client.post('/api/staff/plans', {
      code: 'team',
      name: 'Team',
      monthlyPrice: '49.00',
      includedServers: 1,
      serverHourPrice: '0.02',
      backupGibMonthPrice: '0.05',
      supportTier: 'standard',
    });
    expect((await owner.client.put(`/api/orgs/${owner.orgId}/billing/plan`, { planId: plan.body.id })).status).toBe(
      200,
    );
    await insertReadyServers(env.s, owner.orgId, owner.userId, 3);
    await env.s.core.billing.metering.meter();
    const { startMs, endMs } = monthOf(Date.now());
    number = (await env.s.core.billing.invoices.issueFor(owner.orgId, startMs, endMs, { type: 'system' }, {}))!.number;
    const suspended = await admin.client.post(`/api/staff/orgs/${owner.orgId}/suspension`, {
      reason: 'Unpaid invoices and a spam report.',
    });
    expect(suspended.status, suspended.raw).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it(
    'lists invoices with their PDFs, and a suspended organisation shows why and takes an appeal',
    { timeout: 120_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        await signInThroughConsole(page, owner.email, password);
        await page.goto(`/orgs/${owner.orgId}/billing`);
        await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
        await page.getByText('Team', { exact: false }).first().waitFor();
        const row = page.getByRole('row', { name: new RegExp(number) });
        await row.waitFor();
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('link', { name: `Download ${number}` }).click(),
        ]);
        expect(download.suggestedFilename()).toBe(`${number}.pdf`);
        expect(
          readFileSync((await download.path())!)
            .subarray(0, 5)
            .toString(),
        ).toBe('%PDF-');
        expect(await seriousAxeViolations(page)).toEqual([]);

        // Suspended: every page of the organisation says why; the data is still there; the appeal goes from here.
        const alert = page.getByRole('alert').filter({ hasText: 'This organisation is suspended' });
        await alert.getByText('Unpaid invoices and a spam report.').waitFor();
        await screenshot(page, 'billing-suspended');
        await alert.getByLabel('Appeal').fill('We paid yesterday; the spam was a compromised plugin.');
        await alert.getByRole('button', { name: 'Send the appeal' }).click();
        await alert.getByText('Your appeal is open').waitFor();
        const standing = (await owner.client.get(`/api/orgs/${owner.orgId}/standing`)).body;
        expect(standing.appealRequestId).toMatch(/^sup_/);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );

  it(
    'the operator defines a plan, sets a tax rate and records a payment on the staff billing page',
    { timeout: 180_000 },
    async () => {
      const account = await createStaff(env.s, ['admin']);
      const signin = await new TestClient(env.s.app).post('/api/auth/signin', account);
      const api = new TestClient(env.s.app, {
        cookie: String(signin.headers['set-cookie']).split(';')[0]!,
        csrf: signin.body.csrfToken,
      });
      const enrol = await api.post('/api/me/totp/enrol');
      expect((await api.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
      const owedOf = async () =>
        ((await api.get('/api/staff/invoices')).body.invoices as { number: string; balance: string }[]).find(
          (i) => i.number === number,
        )!.balance;
      const owedBefore = await owedOf();
      const t = await openPage(browser, env.baseUrl, { bypassCSP: true }); // axe injects a script
      const { page } = t;
      try {
        await page.goto('/signin');
        await page.getByLabel('E-mail address').fill(account.email);
        await page.getByLabel('Password').fill(account.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByLabel('One-time code').fill(totpCodeFor(enrol.body.secret, 1));
        await page.getByRole('button', { name: 'Verify and sign in' }).click();
        await page.waitForURL((url) => url.pathname !== '/signin');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
        await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();

        // A price that is not a decimal is refused under its field; corrected, the plan is defined and listed.
        const plan = page.locator('form', { has: page.getByRole('heading', { name: 'Define a plan' }) });
        await plan.getByLabel('Code').fill('pro');
        await plan.getByLabel('Name', { exact: true }).fill('Pro');
        await plan.getByLabel('Monthly price').fill('1e2');
        await plan.getByLabel('Servers included').fill('3');
        await plan.getByLabel('Price per extra server-hour').fill('0.02');
        await plan.getByLabel('Price per monitored server-hour').fill('0.0040');
        await plan.getByRole('button', { name: 'Define the plan' }).click();
        await plan.getByText(/must be a decimal number/).waitFor();
        await plan.getByLabel('Monthly price').fill('79');
        await plan.getByRole('button', { name: 'Define the plan' }).click();
        const row = page.getByRole('row', { name: /Pro \(pro\)/ });
        await row.waitFor();
        expect(await row.textContent()).toContain('79.00 EUR');
        const stored = ((await api.get('/api/billing/plans')).body.plans as Record<string, unknown>[]).find(
          (p) => p.code === 'pro',
        );
        expect(stored).toMatchObject({ monthlyPrice: '79.00', includedServers: 3, serverHourPrice: '0.02' });
        expect(Number(stored!.monitoredServerHourPrice)).toBe(0.004);

        const tax = page.locator('form', { has: page.getByRole('heading', { name: 'Set a tax rate' }) });
        await tax.getByLabel('Country').fill('FR');
        await tax.getByLabel('Rate (%)').fill('20');
        await tax.getByLabel('Label').fill('TVA');
        await tax.getByRole('button', { name: 'Set the rate' }).click();
        await page.getByRole('row', { name: /FR.*20.*TVA/ }).waitFor();

        // A bank transfer of 10.00 recorded against the customer's invoice: what is owed drops by as much.
        const answers = ['10.00', 'SEPA-2026-77'];
        page.on('dialog', (dialog) => void dialog.accept(answers.shift()));
        await page.getByRole('button', { name: `Record payment for ${number}` }).click();
        const cents = (text: string) => Math.round(Number(text) * 100);
        const expected = ((cents(owedBefore) - 1000) / 100).toFixed(2);
        await page
          .getByRole('row', { name: new RegExp(number) })
          .getByText(`${expected} EUR`)
          .waitFor();
        expect(await owedOf()).toBe(expected);
        expect(answers).toEqual([]);
        await screenshot(page, 'staff-billing');
        expect(await seriousAxeViolations(page)).toEqual([]);
        expect(t.errors).toEqual([]);
      } finally {
        await t.close();
      }
    },
  );
});
