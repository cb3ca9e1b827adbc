import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthOf } from '../src/core/billing/billing.rules.js';
import { launchChromium, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import type { TestClient } from '../testkit/client.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { signInThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';
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
    const admin: { client: TestClient } = await staffMember(env.s, ['admin', 'security']);
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
});
