// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage } from '../testkit/browser.js';
import { startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';

describe('console: replacing and deleting credentials, API tokens shown once', () => {
  let env: ConsoleSteward;
  let browser: Browser;
  beforeAll(async () => {
    env = await startConsoleSteward();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it('replaces a value (new hint, no value on the page), deletes only after the name is typed, and shows a token once', async () => {
    const canaries = makeCanaries();
    const owner = await signUp(env.s.app, { name: 'Annie Easley', password: 'centaur rocket stage' });
    await owner.client.post(`/api/orgs/${owner.orgId}/credentials`, {
      kind: 'database_password',
      name: 'Billing DB',
      value: 'original-value-long-enough-0000',
    });
    const t = await openPage(browser, env.baseUrl);
    const { page } = t;
    try {
      await page.goto('/signin');
      await page.getByLabel('E-mail address').fill(owner.email);
      await page.getByLabel('Password').fill(owner.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/orgs\//);

      // 1. Replace the value in a dialog; the row's hint follows, the value itself appears nowhere.
      await page.goto(`/orgs/${owner.orgId}/credentials`);
      const row = page.getByRole('row', { name: /Billing DB/ });
      expect(await row.textContent()).toContain('…0000');
      await page.getByRole('button', { name: 'Replace value of Billing DB' }).click();
      const dialog = page.getByRole('dialog', { name: 'Replace the value of “Billing DB”' });
      const field = dialog.getByLabel('New secret value');
      expect(await field.getAttribute('type')).toBe('password');
      await field.fill(canaries.dbPassword);
      // The leak detector sees a value while it sits in a field (so its silence below means something).
      expect(
        findLeaks((await leakSurfaces(t)).fields, { value: canaries.dbPassword }, 'fields').length,
      ).toBeGreaterThan(0);
      await dialog.getByRole('button', { name: 'Replace value' }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page
        .getByRole('status')
        .filter({ hasText: `Its hint is now …${canaries.dbPassword.slice(-4)}` })
        .waitFor();
      expect(await row.textContent()).toContain(`…${canaries.dbPassword.slice(-4)}`);

      // 2. Delete: the button stays disabled until the credential's exact name is typed.
      await page.getByRole('button', { name: 'Delete Billing DB' }).click();
      const confirm = page.getByRole('dialog', { name: 'Delete “Billing DB”?' });
      const go = confirm.getByRole('button', { name: 'Delete credential' });
      await confirm.getByLabel('Type “Billing DB” to confirm').fill('billing db');
      expect(await go.isDisabled()).toBe(true);
      await confirm.getByLabel('Type “Billing DB” to confirm').fill('Billing DB');
      await go.click();
      await page.getByRole('status').filter({ hasText: '“Billing DB” was deleted.' }).waitFor();
      await page.getByText('No credentials yet').waitFor();

      // 3. An API token: shown once with a copy button, gone from the page after Done, then revoked by name.
      await page.goto('/profile/tokens');
      await page.getByLabel('Name', { exact: true }).fill('ci pipeline');
      await page.getByRole('button', { name: 'Create token' }).click();
      const tokenField = page.getByRole('textbox', { name: 'API token “ci pipeline”' });
      const token = await tokenField.inputValue();
      expect(token).toMatch(/^stw_/);
      const res = await fetch(`${env.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('row', { name: /ci pipeline/ }).waitFor();
      expect(findLeaks(JSON.stringify(await leakSurfaces(t)), { token }, 'page')).toEqual([]);
      await page.getByRole('button', { name: 'Revoke ci pipeline' }).click();
      await page.getByRole('dialog').getByLabel('Type “ci pipeline” to confirm').fill('ci pipeline');
      await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
      await page.getByRole('row', { name: /ci pipeline.*Revoked/ }).waitFor();
      expect((await fetch(`${env.baseUrl}/api/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        401,
      );

      // 4. The audit log tells the story; no canary anywhere, no CSP refusal.
      await page.goto(`/orgs/${owner.orgId}/audit`);
      await page.getByRole('rowheader', { name: 'credential.deleted' }).waitFor();
      expect(await page.getByRole('rowheader').allTextContents()).toEqual(
        expect.arrayContaining(['credential.sealed', 'credential.replaced', 'credential.deleted']),
      );
      const surfaces = await leakSurfaces(t);
      await t.close();
      const leaks = Object.entries(surfaces).flatMap(([where, text]) =>
        findLeaks(text, { value: canaries.dbPassword }, where),
      );
      expect([...leaks, ...findLeaks(t.apiBodies.join('\n'), { value: canaries.dbPassword }, 'api answers')]).toEqual(
        [],
      );
      expect([...t.cspViolations, ...t.errors]).toEqual([]);
    } finally {
      await t.context.close().catch(() => undefined);
    }
  });

  it('pages through the audit log fifty entries at a time', async () => {
    const owner = await signUp(env.s.app, { name: 'Evelyn Boyd', password: 'numerical analysis 1956' });
    for (let i = 0; i < 55; i++)
      await owner.client.post(`/api/orgs/${owner.orgId}/credentials`, {
        kind: 'other',
        name: `Key ${i}`,
        value: `value-${i}-long-enough-to-hint`,
      });
    const t = await openPage(browser, env.baseUrl);
    const { page } = t;
    await page.goto('/signin');
    await page.getByLabel('E-mail address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/orgs\//);
    await page.goto(`/orgs/${owner.orgId}/audit`);
    const firstColumn = () => page.locator('.audit-table tbody tr td:first-child').allTextContents();
    await page.getByRole('rowheader').first().waitFor();
    const total = (await owner.client.get(`/api/orgs/${owner.orgId}/audit?limit=500`)).body.entries.length;
    expect(total).toBeGreaterThan(50);
    const first = (await firstColumn()).map(Number);
    expect(first).toHaveLength(50);
    expect(first[0]! > first[49]!).toBe(true);
    await page.getByRole('button', { name: 'Older →' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).getByText('Page 2').waitFor();
    await expect.poll(async () => (await firstColumn()).length).toBe(total - 50);
    expect(await page.getByRole('button', { name: 'Older →' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).getByText('Page 1').waitFor();
    await expect.poll(async () => (await firstColumn()).map(Number)).toEqual(first);
    await t.close();
  });
});
