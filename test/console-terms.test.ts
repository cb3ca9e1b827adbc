// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../testkit/client.js';
import { launchChromium, openPage } from '../testkit/browser.js';
import {
  confirmThroughConsole,
  signInThroughConsole,
  startConsoleSteward,
  type ConsoleSteward,
} from '../testkit/console.js';
import { staffSession } from '../testkit/staff.js';

/** Terms of service in the console: accepted at sign-up, and a material change held at sign-in until accepted. */
describe('console: terms of service in Chromium', () => {
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

  const publish = async (version: string) => {
    const admin = (await staffSession(env.s, ['admin'])).client;
    const res = await admin.post('/api/staff/terms', {
      version,
      title: 'Steward Terms of Service',
      body: `Clause 1 of version ${version}.\n\nClause 2.`,
      changes: `Clause 1 is new in ${version}.`,
      material: true,
    });
    expect(res.status, res.raw).toBe(201);
    return res.body.id as string;
  };

  it('sign-up shows the terms in force and records their acceptance with the account', async () => {
    await publish('v1');
    const { page } = await openPage(browser, env.baseUrl);
    const email = `terms-console-${Date.now()}@example.com`;
    const password = 'a long and unusual console passphrase';
    await page.goto('/signup');
    await page.getByLabel('Your name').fill('Grace Hopper');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByLabel('Organisation name').fill('Compilers Ltd');
    const terms = page.locator('label', { has: page.getByRole('checkbox') });
    await terms.waitFor();
    expect((await terms.textContent())?.replace(/\s+/g, ' ').trim()).toBe(
      'I have read and accept the Steward Terms of Service, version v1.',
    );
    const accept = terms.getByRole('checkbox');
    await accept.check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await confirmThroughConsole(page, env.s, email, password);
    const user = await env.s.core.db
      .selectFrom('users')
      .select('id')
      .where('email_bidx', '=', env.s.core.vault.emailIndex(email))
      .executeTakeFirstOrThrow();
    const acceptances = await env.s.core.privacy.terms.acceptancesOf(user.id);
    expect(acceptances.map((a) => [a.version, a.source])).toEqual([['v1', 'sign_up']]);
  });

  it('a material change holds a member on the terms page until they accept it', async () => {
    const person = await signUp(env.s.app, { name: 'Alan Turing' });
    await publish('v2');
    const { page } = await openPage(browser, env.baseUrl);
    await signInThroughConsole(page, person.email, person.password);
    await page.getByRole('heading', { level: 1, name: 'The terms of service changed' }).waitFor();
    await page.getByText('Clause 1 is new in v2.').waitFor();
    await page.getByText('Clause 1 of version v2.').waitFor();
    // Going elsewhere shows the same page: nothing else works until the terms are accepted.
    await page.goto(`/orgs/${person.orgId}`);
    await page.getByRole('heading', { level: 1, name: 'The terms of service changed' }).waitFor();
    await page.getByRole('button', { name: 'I accept the Steward Terms of Service, version v2' }).click();
    await page.getByRole('heading', { level: 1, name: 'The terms of service changed' }).waitFor({ state: 'detached' });
    await page.waitForURL(new RegExp(`/orgs/${person.orgId}`));
    const mine = (await person.client.get('/api/me/terms')).body;
    expect(mine.pending).toBeNull();
    expect(mine.acceptances.map((a: { version: string; source: string }) => [a.version, a.source])).toContainEqual([
      'v2',
      'console',
    ]);
  });
});
