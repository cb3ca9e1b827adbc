// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../testkit/client.js';
import { launchChromium, openPage } from '../testkit/browser.js';
import { createStaff, startConsoleSteward, totpCodeFor, type ConsoleSteward } from '../testkit/console.js';

describe('console: second factor and the staff area in Chromium', () => {
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

  it('enrols a second factor, then sign-in asks for the one-time code and refuses a wrong one', async () => {
    const person = await signUp(env.s.app, { name: 'Katherine Johnson', password: 'orbital mechanics 1962' });
    const t = await openPage(browser, env.baseUrl);
    const { page } = t;
    // 1. Sign in with the password alone (no second factor yet).
    await page.goto('/signin');
    await page.getByLabel('E-mail address').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/orgs\//);

    // 2. Details change in the profile, and the top bar follows.
    await page.goto('/profile');
    await page.getByLabel('Name', { exact: true }).fill('Katherine G. Johnson');
    await page.getByRole('button', { name: 'Save details' }).click();
    await page.getByRole('status').filter({ hasText: 'Your details are saved.' }).waitFor();
    await page.getByRole('button', { name: /Katherine G\. Johnson.*account menu/ }).waitFor();

    // 3. Enrol: the console shows the key as text (and the otpauth link); the app's code turns it on.
    await page.goto('/profile/security');
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByText('Or use the setup link').click();
    expect(await page.getByTestId('totp-uri').textContent()).toContain(`secret=${secret}`);
    await page.getByLabel('One-time code').fill(totpCodeFor(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('heading', { name: /Second factor\s+On/ }).waitFor();

    // 4. Sign out; signing in now asks for the code after the password.
    await page.getByRole('button', { name: /account menu/ }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin/);
    await page.getByLabel('E-mail address').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const codeField = page.getByLabel('One-time code');
    await codeField.waitFor();
    await page.getByText('This account has a second factor').waitFor();
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } } }
        ).document.activeElement.getAttribute('name'),
      ),
    ).toBe('totpCode');

    // 5. A wrong code is refused with the API's message and what to do next; the right one signs in.
    const right = totpCodeFor(secret, 1);
    await codeField.fill(right === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /Check the e-mail address, the password and \(if asked\) the one-time code/,
    );
    await codeField.fill(right);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(/\/orgs\//);
    expect(t.cspViolations).toEqual([]);
    expect(t.errors).toEqual([]);
    await t.close();
  });

  it('sends staff to second-factor enrolment first, then opens jobs and the cross-organisation audit with a reason', async () => {
    const staff = await createStaff(env.s, ['admin', 'security']);
    const t = await openPage(browser, env.baseUrl);
    const { page } = t;
    // 1. A staff account without a second factor lands on enrolment, whatever it asked for.
    await page.goto('/staff/jobs');
    await page.waitForURL(/\/signin/);
    await page.getByLabel('E-mail address').fill(staff.email);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/staff\/enrol$/);
    await page.getByRole('heading', { level: 1, name: 'Turn on your second factor' }).waitFor();
    await page.goto('/staff/audit');
    await page.getByRole('heading', { level: 1, name: 'Turn on your second factor' }).waitFor();
    expect(new URL(page.url()).pathname, await page.content()).toBe('/staff/enrol');

    // 2. Enrolling opens the staff area.
    await page.getByRole('button', { name: 'Set up a second factor' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await page.getByLabel('One-time code').fill(totpCodeFor(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForURL(/\/staff$/);
    await page.getByRole('heading', { level: 1, name: 'Staff area' }).waitFor();

    // 3. All jobs (admin).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'All jobs' }).click();
    await page.getByRole('heading', { level: 1, name: 'All jobs' }).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('alert').count()).toBe(0);

    // 4. The audit log across organisations reads nothing without a reason, and records the read with it.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Audit across organisations' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Audit across organisations' }).waitFor();
    await page.getByRole('button', { name: 'Read the audit log' }).click();
    expect(
      await page
        .getByLabel('Reason')
        .evaluate((el) => (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing),
    ).toBe(true);
    expect(t.urls.some((u) => u.includes('/api/staff/audit'))).toBe(false);
    const reason = 'Checking enrolment for ticket 42';
    await page.getByLabel('Reason').fill(reason);
    await page.getByRole('button', { name: 'Read the audit log' }).click();
    await page.getByRole('rowheader', { name: 'user.totp_enrolled' }).first().waitFor();
    const reads = await env.s.core.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'audit.staff_read')
      .execute();
    expect(reads.map((r) => String(r.details))).toEqual([expect.stringContaining(reason)]);
    expect(t.cspViolations).toEqual([]);
    expect(t.errors).toEqual([]);
    await t.close();
  });
});
