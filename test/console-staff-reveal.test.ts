// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpStep } from '../src/crypto/totp.js';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, screenshot } from '../testkit/browser.js';
import { createStaff, freshCodes, startConsoleSteward, totpCodeFor, type ConsoleSteward } from '../testkit/console.js';
import { useFleet } from '../testkit/fleet.js';
import { readyServer } from './access-kit.js';
import { until } from '../testkit/wait.js';

/**
 * A credential discovery found on a real host, revealed in the console by a staff member working under a
 * grant whose customer allowed "Reveal stored secrets": listed by location only, shown once after a fresh
 * one-time code (a wrong code shows nothing), gone from the page after Done, and in the customer's timeline.
 */
describe('console: a staff member reveals a found credential under a grant that allows it', () => {
  const canaries = makeCanaries();
  const fleet = useFleet({
    count: 1,
    spec: () => ({
      name: 'reveal-host',
      files: [
        { path: '/var/www/html/.env', content: `APP_NAME=shop\nDB_PASSWORD=${canaries.dbPassword}\n`, mode: 0o640 },
      ],
    }),
  });
  let env: ConsoleSteward;
  let browser: Browser;
  let owner: SignedUp;
  let serverId: string;
  let staff: { email: string; password: string; client: TestClient };
  let freshCode: () => Promise<string>;

  beforeAll(async () => {
    env = await startConsoleSteward({ jobs: true });
    browser = await launchChromium();
    owner = await signUp(env.s.app, { name: 'Rita Owner', orgName: 'Reveal Shop Ltd' });
    serverId = await readyServer(owner, fleet.hosts[0]!, fleet.clientKey.privateKey, 'shop');
    await until(
      'discovery to find the credential',
      async () => {
        const res = await owner.client.get(`/api/orgs/${owner.orgId}/servers/${serverId}/found-secrets`);
        return res.status === 200 && res.body.secrets.length === 1 ? true : undefined;
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    const account = await createStaff(env.s, ['support']);
    const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
      email: account.email,
      password: account.password,
    });
    const client = new TestClient(env.s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    const enrol = await client.post('/api/me/totp/enrol');
    freshCode = freshCodes(enrol.body.secret, totpStep(Date.now()));
    expect((await client.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
    staff = { ...account, client };
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it(
    'lists it by location, reveals it once after a fresh code, forgets it on Done, and the customer sees the reveal',
    { timeout: 240_000 },
    async () => {
      const opened = await owner.client.post(`/api/orgs/${owner.orgId}/support-requests`, {
        kind: 'support',
        subject: 'Database login fails',
        message: 'Please check the app’s database password.',
        serverIds: [serverId],
        durationMinutes: 60,
        actions: ['read_facts_logs', 'reveal_secrets'],
      });
      expect(opened.status, opened.raw).toBe(201);
      expect((await staff.client.post(`/api/staff/support-requests/${opened.body.id}/take`)).status).toBe(200);
      const grantId = opened.body.grantId as string;
      const t = await openPage(browser, env.baseUrl);
      const page = t.page;
      try {
        await page.goto('/signin');
        await page.getByLabel('E-mail address').fill(staff.email);
        await page.getByLabel('Password').fill(staff.password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByLabel('One-time code').fill(await freshCode());
        await page.getByRole('button', { name: 'Verify and sign in' }).click();
        await page.waitForURL((url) => url.pathname !== '/signin');
        await page.goto(`/staff/grants/${grantId}`);
        await page.getByRole('heading', { level: 1, name: `Grant ${grantId}` }).waitFor();

        // 1. Listed by location and setting; nothing of the value anywhere yet.
        await page.getByRole('button', { name: 'List the credentials found' }).click();
        const row = page
          .getByRole('table', { name: 'Credentials found on shop' })
          .getByRole('row', { name: /\/var\/www\/html\/\.env/ });
        await row.getByText('DB_PASSWORD', { exact: true }).waitFor();
        expect(
          findLeaks(Object.values(await leakSurfaces(t)).join('\n'), { db: canaries.dbPassword }, 'listed'),
        ).toEqual([]);

        // 2. A wrong code reveals nothing and empties the field.
        await row.getByRole('button', { name: /^Reveal DB_PASSWORD/ }).click();
        const dialog = page.getByRole('dialog', { name: 'Reveal DB_PASSWORD?' });
        await dialog.getByLabel('One-time code').fill('000000');
        await dialog.getByRole('button', { name: 'Reveal the value' }).click();
        await dialog.getByText(/each code works once/).waitFor();
        expect(await dialog.getByLabel('One-time code').inputValue()).toBe('');
        expect(
          findLeaks(Object.values(await leakSurfaces(t)).join('\n'), { db: canaries.dbPassword }, 'refused'),
        ).toEqual([]);

        // 3. A fresh code: the value is shown once, never in the address or storage.
        await dialog.getByLabel('One-time code').fill(await freshCode());
        await dialog.getByRole('button', { name: 'Reveal the value' }).click();
        await dialog.waitFor({ state: 'hidden' });
        const shown = page.getByRole('region', { name: 'DB_PASSWORD in /var/www/html/.env' });
        await shown.waitFor();
        expect(await shown.getByRole('textbox', { name: 'DB_PASSWORD in /var/www/html/.env' }).inputValue()).toBe(
          canaries.dbPassword,
        );
        const surfaces = await leakSurfaces(t);
        expect(
          findLeaks(
            [surfaces.urls, surfaces.localStorage, surfaces.sessionStorage].join('\n'),
            { db: canaries.dbPassword },
            'kept',
          ),
        ).toEqual([]);
        await screenshot(page, 'staff-reveal');

        // 4. Done: gone from the page.
        await shown.getByRole('button', { name: 'Done' }).click();
        await shown.waitFor({ state: 'detached' });
        expect(
          findLeaks(Object.values(await leakSurfaces(t)).join('\n'), { db: canaries.dbPassword }, 'after done'),
        ).toEqual([]);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
      } finally {
        await t.close();
      }

      // 5. The customer's timeline has the reveal, with what and where, and never the value.
      const timeline = await owner.client.get(`/api/orgs/${owner.orgId}/timeline?grantId=${grantId}`);
      const reveal = (timeline.body.entries as { event: string; details: Record<string, unknown> }[]).find(
        (e) => e.event === 'secret.revealed',
      );
      expect(reveal?.details).toMatchObject({ location: '/var/www/html/.env', key: 'DB_PASSWORD' });
      expect(timeline.raw).not.toContain(canaries.dbPassword);
    },
  );
});
