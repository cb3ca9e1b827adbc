// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, screenshot, seriousAxeViolations } from '../testkit/browser.js';
import { signInThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';
import { staffMember } from '../testkit/privacy.js';
import { until } from '../testkit/wait.js';

/**
 * The privacy centre in the browser: a significant policy change shown until acknowledged, consents given and
 * withdrawn with their history, the data export downloaded, and the account deleted with the typed e-mail
 * address and the password (refused while the person still owns an organisation).
 */
describe('console: the privacy centre', () => {
  const canaries = makeCanaries();
  let env: ConsoleSteward;
  let browser: Browser;
  let person: SignedUp;
  let admin: { client: TestClient };
  const orgName = `Privacy Shop ${canaries.runId}`;

  beforeAll(async () => {
    env = await startConsoleSteward({ jobs: true });
    browser = await launchChromium();
    person = await signUp(env.s.app, {
      name: canaries.name,
      orgName,
      password: canaries.userPassword,
      phone: canaries.phone,
    });
    admin = await staffMember(env.s, ['admin']);
    const published = await admin.client.post('/api/staff/policies', {
      version: `2026-${canaries.runId}`,
      title: 'Clearer retention periods',
      body: 'We keep analytics events for 13 months.',
      changes: 'Retention periods are now stated for every kind of data.',
      significant: true,
    });
    expect(published.status, published.raw).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

  it(
    'acknowledges the policy, changes consents, exports data and deletes the account',
    { timeout: 240_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      try {
        await signInThroughConsole(page, person.email, canaries.userPassword);
        // Every page says the policy changed until it is acknowledged.
        await page
          .getByRole('note')
          .getByText(/The privacy policy changed \(Clearer retention periods/)
          .waitFor();
        await page.getByRole('button', { name: /account menu/ }).click();
        await page.getByRole('link', { name: 'Privacy centre', exact: true }).click();
        await heading(page, 'Privacy centre');
        await page.getByText(`version 2026-${canaries.runId}`).first().waitFor();

        // 1. The policy notice stays until acknowledged, and does not come back.
        const notice = page.getByRole('region', { name: /The privacy policy changed/ });
        await notice.getByText('Retention periods are now stated for every kind of data.').waitFor();
        await screenshot(page, 'privacy-centre-notice');
        await notice.getByRole('button', { name: 'I have read the changes' }).click();
        await notice.waitFor({ state: 'detached' });
        expect((await person.client.get('/api/me/policy-notice')).body.notice).toBeNull();
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
        await heading(page, orgName);
        expect(await page.getByRole('note').count()).toBe(0);
        await page.goto('/privacy');
        await heading(page, 'Privacy centre');

        // 2. Consent by purpose: given, then withdrawn, each decision in the history.
        const row = page.getByRole('row', { name: /Usage analytics/ });
        await row.getByText('Not given', { exact: true }).waitFor();
        await row.getByRole('button', { name: 'Give consent for usage analytics' }).click();
        await row.getByText('Given', { exact: true }).waitFor();
        await page.getByRole('status').getByText('Usage analytics: consent given.').waitFor();
        await row.getByRole('button', { name: 'Withdraw consent for usage analytics' }).click();
        await row.getByText('Not given', { exact: true }).waitFor();
        await page.getByText('History of your decisions (2)').click();
        const history = page.getByRole('table', { name: 'Every consent decision, newest first' });
        expect(await history.getByRole('row', { name: /Usage analytics/ }).allTextContents()).toEqual([
          expect.stringContaining('Withdrawn'),
          expect.stringContaining('Given'),
        ]);
        const consents = (await person.client.get('/api/me/consents')).body;
        expect(consents.current.find((c: { purpose: string }) => c.purpose === 'analytics')).toMatchObject({
          granted: false,
          source: 'console',
        });

        // 3. The export downloads as a file holding the person's own data.
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          page.getByRole('button', { name: 'Download your data (JSON)' }).click(),
        ]);
        expect(download.suggestedFilename()).toBe('steward-export.json');
        const exported = readFileSync((await download.path())!, 'utf8');
        expect(exported).toContain(person.email);
        expect(exported).toContain(orgName);
        expect(exported).not.toContain(canaries.userPassword);
        await page.getByText('Your data was downloaded.').waitFor();
        await screenshot(page, 'privacy-centre');

        // 4. Deleting the account: the typed address gates the button; an owner is told to deal with the organisation first.
        await page.getByRole('button', { name: 'Delete your account…' }).click();
        const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
        const confirmField = dialog.getByLabel(`Type “${person.email}” to confirm`);
        await confirmField.fill('someone@example.com');
        await dialog.getByLabel('Your password').fill(canaries.userPassword);
        expect(await dialog.getByRole('button', { name: 'Delete your account' }).isDisabled()).toBe(true);
        expect(await dialog.getByLabel('Your password').getAttribute('type')).toBe('password');
        await confirmField.fill(person.email);
        await screenshot(page, 'privacy-delete-confirm');
        await dialog.getByRole('button', { name: 'Delete your account' }).click();
        await dialog.getByText(/You own 1 organisation/).waitFor();
        expect((await person.client.get('/api/me')).status).toBe(200);
        await dialog.getByRole('button', { name: 'Cancel' }).click();

        // 5. Once the organisation is deleted, the account goes and the console returns to sign-in.
        expect(
          (
            await person.client.post(`/api/orgs/${person.orgId}/deletion`, {
              confirm: orgName,
              password: person.password,
            })
          ).status,
        ).toBe(202);
        await until(
          'the organisation deleted',
          async () =>
            ((await person.client.get('/api/me/deletions')).body.deletions as { status: string }[]).every(
              (d) => d.status === 'done',
            ) || undefined,
          { timeoutMs: 60_000 },
        );
        await page.getByRole('button', { name: 'Delete your account…' }).click();
        await dialog.getByLabel(`Type “${person.email}” to confirm`).fill(person.email);
        await dialog.getByLabel('Your password').fill(canaries.userPassword);
        await dialog.getByRole('button', { name: 'Delete your account' }).click();
        await page.waitForURL((url) => url.pathname === '/signin');
        expect((await person.client.get('/api/me')).status).toBe(401);
        expect(
          (
            await new TestClient(env.s.app).post('/api/auth/signin', {
              email: person.email,
              password: canaries.userPassword,
            })
          ).status,
        ).toBe(401);

        const surfaces = await leakSurfaces(t);
        const leaks = Object.entries(surfaces).flatMap(([where, text]) =>
          findLeaks(text, { password: canaries.userPassword }, where),
        );
        expect(leaks).toEqual([]);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
      } catch (err) {
        await screenshot(page, 'privacy-failure').catch(() => undefined);
        throw err;
      } finally {
        await t.close();
      }
    },
  );

  it('has no serious or critical axe violations, in both themes', { timeout: 120_000 }, async () => {
    const reader = await signUp(env.s.app, { name: 'Axe Reader' });
    // A change published after the reader signed up, so the notice is on the page axe reads.
    expect(
      (
        await admin.client.post('/api/staff/policies', {
          version: `2027-${canaries.runId}`,
          title: 'Shorter log retention',
          body: 'Logs are kept for 30 days.',
          changes: 'Logs are now kept for 30 days instead of 90.',
          significant: true,
        })
      ).status,
    ).toBe(201);
    const problems: string[] = [];
    for (const theme of ['light', 'dark'] as const) {
      const t = await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
      await signInThroughConsole(t.page, reader.email, reader.password);
      await t.page.goto('/privacy');
      await heading(t.page, 'Privacy centre');
      await t.page.getByRole('region', { name: /The privacy policy changed/ }).waitFor();
      await t.page.getByRole('row', { name: /Usage analytics/ }).waitFor();
      await screenshot(t.page, `privacy-centre-${theme}`);
      for (const v of await seriousAxeViolations(t.page))
        problems.push(`${theme}: ${v.id} ${v.help} at ${v.targets.join(', ')}`);
      await t.page.getByRole('button', { name: 'Delete your account…' }).click();
      await t.page.getByRole('dialog').waitFor();
      for (const v of await seriousAxeViolations(t.page))
        problems.push(`${theme} dialog: ${v.id} ${v.help} at ${v.targets.join(', ')}`);
      await t.close();
    }
    expect(problems).toEqual([]);
  });
});
