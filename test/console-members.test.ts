// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../testkit/client.js';
import { launchChromium, openPage } from '../testkit/browser.js';
import { confirmThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/orgs\//);
}

describe('console: invitations and members in Chromium', () => {
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

  it('invites with a link shown once, the invitee accepts, and role changes and removal need the typed e-mail', async () => {
    const owner = await signUp(env.s.app, {
      name: 'Mary Jackson',
      orgName: 'Wind Tunnel',
      password: 'supersonic flow 1958',
    });
    const inviteeEmail = `dorothy-${Date.now()}@example.com`;
    const a = await openPage(browser, env.baseUrl);
    const b = await openPage(browser, env.baseUrl);
    try {
      // 1. The owner invites; the link appears once, then is gone from the page.
      await signIn(a.page, owner.email, owner.password);
      await a.page.goto(`/orgs/${owner.orgId}/invitations`);
      await a.page.getByLabel('E-mail address').fill(inviteeEmail);
      await a.page.getByRole('button', { name: 'Create invitation' }).click();
      const linkField = a.page.getByRole('textbox', { name: `Invitation link for ${inviteeEmail}` });
      const link = await linkField.inputValue();
      expect(link).toMatch(new RegExp(`^${env.baseUrl}/invite/[A-Za-z0-9_-]{20,}$`));
      await a.page.getByRole('row', { name: new RegExp(inviteeEmail) }).waitFor();
      await a.page.getByRole('button', { name: 'Done' }).click();
      expect(await a.page.content()).not.toContain(new URL(link).pathname.split('/').pop()!);

      // 2. The invitee opens the link signed out, creates an account, comes back and accepts.
      await b.page.goto(link);
      await b.page.getByRole('heading', { level: 1, name: 'You are invited' }).waitFor();
      await b.page.getByRole('link', { name: 'Create an account' }).click();
      await b.page.getByLabel('Your name').fill('Dorothy Vaughan');
      await b.page.getByLabel('E-mail address').fill(inviteeEmail);
      await b.page.getByLabel('Password').fill('fortran for everyone');
      await b.page.getByLabel('Organisation name').fill('Dorothy’s team');
      await b.page.getByRole('button', { name: 'Create account' }).click();
      await confirmThroughConsole(b.page, env.s, inviteeEmail, 'fortran for everyone');
      await b.page.goto(link);
      await b.page.getByRole('button', { name: 'Accept invitation' }).click();
      await b.page.waitForURL(new RegExp(`/orgs/${owner.orgId}$`));
      await b.page.getByRole('heading', { level: 1, name: 'Wind Tunnel' }).waitFor();
      expect(await b.page.getByLabel('Organisation', { exact: true }).locator('option').allTextContents()).toEqual(
        expect.arrayContaining(['Wind Tunnel', 'Dorothy’s team']),
      );

      // 3. The owner promotes her (no confirmation needed to give rights)...
      await a.page.goto(`/orgs/${owner.orgId}/members`);
      const role = a.page.getByLabel('Role of Dorothy Vaughan');
      await role.selectOption('owner');
      await a.page.getByRole('status').filter({ hasText: 'Dorothy Vaughan is now an owner.' }).waitFor();

      // 4. ...but taking ownership away needs her e-mail typed.
      await role.selectOption('member');
      const dialog = a.page.getByRole('dialog', { name: 'Make Dorothy Vaughan a member?' });
      await dialog.waitFor();
      const confirm = dialog.getByRole('button', { name: 'Remove ownership' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(`Type “${inviteeEmail}” to confirm`).fill('dorothy');
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel(`Type “${inviteeEmail}” to confirm`).fill(inviteeEmail);
      await confirm.click();
      await a.page.getByRole('status').filter({ hasText: 'Dorothy Vaughan is now a member.' }).waitFor();
      expect(await role.inputValue()).toBe('member');

      // 5. Removing her too; Escape first closes the dialog without doing anything.
      await a.page.getByRole('button', { name: 'Remove Dorothy Vaughan' }).click();
      const remove = a.page.getByRole('dialog', { name: 'Remove Dorothy Vaughan?' });
      await remove.waitFor();
      await a.page.keyboard.press('Escape');
      await remove.waitFor({ state: 'hidden' });
      expect(
        await a.page.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement
              .textContent,
        ),
      ).toContain('Remove');
      await a.page.getByRole('button', { name: 'Remove Dorothy Vaughan' }).click();
      await remove.getByLabel(`Type “${inviteeEmail}” to confirm`).fill(inviteeEmail);
      await remove.getByRole('button', { name: 'Remove member' }).click();
      await a.page.getByRole('status').filter({ hasText: 'Dorothy Vaughan was removed from Wind Tunnel.' }).waitFor();
      expect(await a.page.getByRole('row', { name: /Dorothy Vaughan/ }).count()).toBe(0);

      // 6. She no longer sees the organisation.
      await b.page.reload();
      await b.page.getByRole('heading', { level: 1, name: 'Organisation not found' }).waitFor();

      // 7. The audit log has every step.
      await a.page.goto(`/orgs/${owner.orgId}/audit`);
      await a.page.getByRole('rowheader', { name: 'member.removed' }).waitFor();
      const actions = await a.page.getByRole('rowheader').allTextContents();
      expect(actions).toEqual(
        expect.arrayContaining(['member.invited', 'member.joined', 'member.role_changed', 'member.removed']),
      );
      expect([...a.cspViolations, ...b.cspViolations, ...a.errors, ...b.errors]).toEqual([]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
