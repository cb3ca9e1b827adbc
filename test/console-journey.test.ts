// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, type TrackedPage } from '../testkit/browser.js';
import { confirmThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';

describe('console: a customer’s journey in Chromium', () => {
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

  it('signs up, seals a credential seen only by its hint, finds it in the audit log, signs out and in again, and leaks no secret', async () => {
    const canaries = makeCanaries();
    const email = `ada-${canaries.runId}@example.com`;
    const secretValue = canaries.awsSecretAccessKey;
    const t: TrackedPage = await openPage(browser, env.baseUrl);
    const { page } = t;
    try {
      // 1. Signed out, the console sends the visitor to sign-in; from there to sign-up.
      await page.goto('/');
      await page.waitForURL(/\/signin$/);
      await page.getByRole('link', { name: 'Create an account' }).click();
      await page.getByLabel('Your name').fill('Ada Lovelace');
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(canaries.userPassword);
      await page.getByLabel('Organisation name').fill('Analytical Engines');
      await page.getByRole('button', { name: 'Create account' }).click();
      await confirmThroughConsole(page, env.s, email, canaries.userPassword);

      // 2. The new organisation's overview.
      await page.waitForURL(/\/orgs\/org_[0-9a-z]{26}$/);
      await page.getByRole('heading', { level: 1, name: 'Analytical Engines' }).waitFor();
      const orgPath = new URL(page.url()).pathname;

      // 3. Seal a credential: the value goes into a password field and is never shown again.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credentials' }).click();
      await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
      const valueField = page.getByLabel('Secret value');
      expect(await valueField.getAttribute('type')).toBe('password');
      await page.getByLabel('Kind').selectOption('api_key');
      await page.getByLabel('Name', { exact: true }).fill('Deploy key');
      await valueField.fill(secretValue);
      // The detector sees the value while it sits in the field, so its silence at the end means something.
      expect(findLeaks((await leakSurfaces(t)).fields, { secretValue }, 'fields').length).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Seal credential' }).click();
      const row = page.getByRole('row', { name: /Deploy key/ });
      await row.waitFor();
      expect(await row.textContent()).toContain(`…${secretValue.slice(-4)}`);
      expect(await valueField.inputValue()).toBe('');
      await page.getByRole('status').filter({ hasText: 'is sealed' }).waitFor();

      // 4. The audit log shows the sealing, also when filtered by its action.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      await page.getByRole('rowheader', { name: 'credential.sealed' }).waitFor();
      await page.getByLabel('Action').fill('credential.sealed');
      await page.getByRole('button', { name: 'Filter' }).click();
      await page.getByRole('rowheader', { name: 'credential.sealed' }).waitFor();
      await expect.poll(() => page.getByRole('rowheader').allTextContents()).toEqual(['credential.sealed']);

      // 5. Sign out from the person's menu: the session ends on the server, so the old page needs sign-in again.
      await page.getByRole('button', { name: /account menu/ }).click();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(/\/signin\?signedOut=1$/);
      await page.getByText('You are signed out').waitFor();
      await page.goto(`${orgPath}/credentials`);
      await page.waitForURL(/\/signin\?next=/);

      // 6. Sign in again and land where the person was going.
      await page.getByLabel('E-mail address').fill(email);
      await page.getByLabel('Password').fill(canaries.userPassword);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(new RegExp(`${orgPath}/credentials$`));
      await page.getByRole('row', { name: /Deploy key/ }).waitFor();

      // 7. No canary anywhere the browser keeps or shows things, in no encoding; no CSP refusal, no script error.
      const surfaces = await leakSurfaces(t);
      expect(t.cspViolations).toEqual([]);
      // The console's policy is really enforced: an injected inline script does not run.
      await expect(page.addScriptTag({ content: 'globalThis.injected = true' })).rejects.toThrow(
        /Content Security Policy/,
      );
      expect(await page.evaluate(() => 'injected' in globalThis)).toBe(false);
      await t.close();
      const leaks = Object.entries(surfaces).flatMap(([where, text]) =>
        findLeaks(text, { secretValue, password: canaries.userPassword }, where),
      );
      expect(leaks).toEqual([]);
      expect(
        findLeaks(t.apiBodies.join('\n'), { secretValue, password: canaries.userPassword }, 'api answers'),
      ).toEqual([]);
      expect(t.urls.length).toBeGreaterThan(10);
      expect(t.errors).toEqual([]);
    } finally {
      await t.context.close().catch(() => undefined);
    }
  });

  it('shows background work progressing on the jobs page without a reload', async () => {
    const owner = await signUp(env.s.app, { name: 'Ida Rhodes', password: 'analysis of variance' });
    let finish!: () => void;
    const released = new Promise<void>((resolve) => (finish = resolve));
    // Runs until the test releases it (or the runner stops, so a failed test cannot hang the teardown).
    env.s.core.queue.register(
      'console.slow',
      (job) =>
        new Promise<void>((resolve, reject) => {
          void released.then(resolve);
          job.signal.addEventListener('abort', () => reject(new Error('stopped')));
        }),
    );
    await env.s.core.queue.enqueue(env.s.core.db, { queue: 'console.slow', payload: {}, orgId: owner.orgId });
    // The test Steward does not run jobs unless asked (`steward serve` starts the runner); core.close() stops it.
    env.s.core.queue.start();
    const t = await openPage(browser, env.baseUrl);
    const { page } = t;
    await page.goto('/signin');
    await page.getByLabel('E-mail address').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/orgs\//);
    // 1. While the job runs, the page says so and keeps refreshing itself.
    await page.goto(`/orgs/${owner.orgId}/jobs`);
    await page.getByText(/1 job in progress/).waitFor();
    // 2. When it finishes, the row turns done with no action from the person.
    finish();
    await page.getByRole('row', { name: /console\.slow.*done/ }).waitFor({ timeout: 15_000 });
    expect(await page.getByText(/in progress/).count()).toBe(0);
    await t.close();
  });
});
