// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import {
  launchChromium,
  openPage,
  screenshot,
  seriousAxeViolations,
  type AxeProblem,
  type TrackedPage,
} from '../testkit/browser.js';
import { createStaff, startConsoleSteward, totpCodeFor, type ConsoleSteward } from '../testkit/console.js';
import { until } from '../testkit/wait.js';

type Theme = 'light' | 'dark';

interface Shot {
  readonly name: string;
  /** Opens the page (or state) to check, and waits until it has settled. */
  readonly open: (page: Page) => Promise<void>;
}

/**
 * Waits for a page's main heading. The whole suite runs Chromium beside everything else on two cores, so the
 * wait is longer than Playwright's 30 s; when it fails, the message says where the page was and what it showed.
 */
const heading = async (page: Page, name: string | RegExp): Promise<void> => {
  try {
    await page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 60_000 });
  } catch (err) {
    const shown = await page
      .locator('body')
      .innerText({ timeout: 5_000 })
      .catch(() => '(unreadable)');
    throw new Error(
      `no heading ${String(name)} at ${page.url()} within 60 s; the page showed: ${shown.slice(0, 400)}`,
      {
        cause: err,
      },
    );
  }
};
const settle = (page: Page) => page.waitForLoadState('networkidle');

/** Every serious or critical axe finding, and any page wider than the 1280 px laptop screen, for one theme. */
async function checkPages(page: Page, theme: Theme, shots: Shot[]): Promise<string[]> {
  const problems: string[] = [];
  for (const shot of shots) {
    await shot.open(page);
    await settle(page);
    await screenshot(page, `${shot.name}-${theme}`);
    const found: AxeProblem[] = await seriousAxeViolations(page);
    for (const v of found)
      problems.push(`${shot.name} (${theme}): ${v.impact} ${v.id}: ${v.help} at ${v.targets.join(', ')}`);
    const overflow = await page.evaluate(() => {
      const root = (
        globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
      ).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    if (overflow > 0) problems.push(`${shot.name} (${theme}): ${overflow}px wider than the screen`);
  }
  return problems;
}

describe('console: accessibility and screenshots of the main pages, light and dark', () => {
  let env: ConsoleSteward;
  let browser: Browser;
  let owner: SignedUp;
  let inviteToken: string;
  let staff: { email: string; password: string; totpSecret: string };

  beforeAll(async () => {
    env = await startConsoleSteward();
    browser = await launchChromium();
    // Data for every page to show something real (through the API, as a person would have made it).
    owner = await signUp(env.s.app, {
      name: 'Grace Hopper',
      orgName: 'Compilers Ltd',
      password: 'a long enough passphrase',
    });
    const base = `/api/orgs/${owner.orgId}`;
    await owner.client.post(`${base}/credentials`, {
      kind: 'api_key',
      name: 'Deploy key',
      value: 'value-that-is-long-enough-1234',
    });
    await owner.client.post(`${base}/credentials`, {
      kind: 'database_password',
      name: 'Reporting database',
      value: 'short',
    });
    inviteToken = (
      await owner.client.post(`${base}/invitations`, { email: 'new.colleague@example.com', role: 'member' })
    ).body.token;
    const colleague = await signUp(env.s.app, { name: 'Alan Turing' });
    const invite = await owner.client.post(`${base}/invitations`, { email: colleague.email, role: 'member' });
    await colleague.client.post('/api/invitations/accept', { token: invite.body.token });
    await owner.client.post('/api/me/tokens', { name: 'deploy script', expiresInDays: 90 });
    env.s.core.queue.register('console.sample', async (job) => {
      if (job.payload.fail) throw new Error('The sample job failed on purpose.');
    });
    await env.s.core.queue.enqueue(env.s.core.db, {
      queue: 'console.sample',
      payload: { fail: false },
      orgId: owner.orgId,
    });
    await env.s.core.queue.enqueue(env.s.core.db, {
      queue: 'console.sample',
      payload: { fail: true },
      orgId: owner.orgId,
      maxAttempts: 1,
    });
    // The test Steward does not run jobs unless asked (`steward serve` starts the runner); core.close() stops it.
    env.s.core.queue.start();
    // A staff member with a second factor already enrolled.
    const account = await createStaff(env.s, ['admin', 'security']);
    const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
      email: account.email,
      password: account.password,
    });
    const staffClient = new TestClient(env.s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    const enrol = await staffClient.post('/api/me/totp/enrol');
    expect((await staffClient.post('/api/me/totp/confirm', { code: totpCodeFor(enrol.body.secret) })).status).toBe(204);
    staff = { ...account, totpSecret: enrol.body.secret };
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  const org = () => `/orgs/${owner.orgId}`;
  const visit = (path: string, title: string | RegExp) => async (page: Page) => {
    await page.goto(path);
    await heading(page, title);
  };

  const signedOut: Shot[] = [
    { name: 'signin', open: visit('/signin', 'Sign in') },
    { name: 'signup', open: visit('/signup', 'Create your account') },
    { name: 'invite-signed-out', open: async (page) => visit(`/invite/${inviteToken}`, 'You are invited')(page) },
  ];
  const customer: Shot[] = [
    { name: 'overview', open: async (page) => visit(org(), 'Compilers Ltd')(page) },
    {
      name: 'members',
      open: async (page) => {
        await visit(`${org()}/members`, 'Members')(page);
        await page.getByRole('row', { name: /Alan Turing/ }).waitFor();
      },
    },
    {
      name: 'invitations',
      open: async (page) => {
        await visit(`${org()}/invitations`, 'Invitations')(page);
        await page.getByRole('row', { name: /new.colleague/ }).waitFor();
      },
    },
    {
      name: 'credentials',
      open: async (page) => {
        await visit(`${org()}/credentials`, 'Credentials')(page);
        await page.getByRole('row', { name: /Deploy key/ }).waitFor();
      },
    },
    {
      name: 'credential-delete-confirm',
      open: async (page) => {
        await page.getByRole('button', { name: 'Delete Deploy key' }).click();
        await page.getByRole('dialog').waitFor();
      },
    },
    {
      name: 'audit',
      open: async (page) => {
        await visit(`${org()}/audit`, 'Audit log')(page);
        await page.getByRole('rowheader', { name: 'credential.sealed' }).first().waitFor();
      },
    },
    {
      name: 'jobs',
      open: async (page) => {
        await visit(`${org()}/jobs`, 'Jobs')(page);
        await page.getByRole('row', { name: /failed/ }).waitFor();
      },
    },
    { name: 'servers-coming', open: async (page) => visit(`${org()}/servers`, /Servers/)(page) },
    { name: 'profile', open: visit('/profile', 'Profile') },
    { name: 'security', open: visit('/profile/security', 'Password and second factor') },
    {
      name: 'tokens',
      open: async (page) => {
        await visit('/profile/tokens', 'API tokens')(page);
        await page.getByRole('row', { name: /deploy script/ }).waitFor();
      },
    },
    {
      name: 'person-menu',
      open: async (page) => {
        await page.getByRole('button', { name: /account menu/ }).click();
        await page.getByRole('link', { name: 'Profile' }).waitFor();
      },
    },
    { name: 'new-org', open: visit('/new-org', 'New organisation') },
  ];
  const staffPages: Shot[] = [
    { name: 'staff-home', open: visit('/staff', 'Staff area') },
    { name: 'staff-jobs', open: visit('/staff/jobs', 'All jobs') },
    {
      name: 'staff-audit',
      open: async (page) => {
        await visit('/staff/audit', 'Audit across organisations')(page);
        await page.getByLabel('Reason').fill('Reviewing the accessibility of the staff audit page');
        await page.getByRole('button', { name: 'Read the audit log' }).click();
        await page.getByRole('rowheader').first().waitFor();
      },
    },
  ];

  async function signIn(t: TrackedPage, email: string, password: string, code?: string): Promise<void> {
    await t.page.goto('/signin');
    await t.page.getByLabel('E-mail address').fill(email);
    await t.page.getByLabel('Password').fill(password);
    await t.page.getByRole('button', { name: 'Sign in' }).click();
    if (code) {
      await t.page.getByLabel('One-time code').fill(code);
      await t.page.getByRole('button', { name: 'Verify and sign in' }).click();
    }
    await t.page.waitForURL((url) => url.pathname !== '/signin');
  }

  it(
    'has no serious or critical axe violations and fits the laptop screen, in both themes',
    { timeout: 480_000 },
    async () => {
      const problems: string[] = [];
      // Staff sign in once (a one-time code works once); the dark pass reuses the session cookie.
      const staffLight = await openPage(browser, env.baseUrl, { bypassCSP: true });
      await signIn(staffLight, staff.email, staff.password, totpCodeFor(staff.totpSecret, 1));
      const staffState = await staffLight.context.storageState();
      for (const theme of ['light', 'dark'] as const) {
        const anonymous = await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
        problems.push(...(await checkPages(anonymous.page, theme, signedOut)));
        await anonymous.close();

        const person = await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
        await signIn(person, owner.email, owner.password);
        problems.push(...(await checkPages(person.page, theme, customer)));
        await person.close();

        const staffPage =
          theme === 'light'
            ? staffLight
            : await openPage(browser, env.baseUrl, { colorScheme: theme, bypassCSP: true });
        if (theme === 'dark') await staffPage.context.addCookies(staffState.cookies);
        problems.push(...(await checkPages(staffPage.page, theme, staffPages)));
        await staffPage.close();
      }
      expect(problems).toEqual([]);
    },
  );

  it('axe reports a planted violation (so a clean pass means something)', async () => {
    const t = await openPage(browser, env.baseUrl, { bypassCSP: true });
    await visit('/signin', 'Sign in')(t.page);
    await t.page.evaluate(() => {
      const d = (
        globalThis as unknown as {
          document: { body: { append(n: unknown): void }; createElement(tag: string): unknown };
        }
      ).document;
      d.body.append(d.createElement('button'));
    });
    expect((await seriousAxeViolations(t.page)).map((v) => v.id)).toContain('button-name');
    await t.close();
  });

  it('follows the system theme and remembers the toggle', async () => {
    const t = await openPage(browser, env.baseUrl, { colorScheme: 'dark' });
    const background = () =>
      t.page.evaluate(
        () =>
          (
            globalThis as unknown as {
              getComputedStyle(e: unknown): { backgroundColor: string };
              document: { documentElement: unknown };
            }
          ).getComputedStyle(
            (globalThis as unknown as { document: { documentElement: unknown } }).document.documentElement,
          ).backgroundColor,
      );
    // The page can render before its style sheet has arrived (on a busy machine): read the colour once it applies.
    const UNSTYLED = 'rgba(0, 0, 0, 0)';
    const styled = () =>
      until('the style sheet to apply', async () => ((b) => (b === UNSTYLED ? undefined : b))(await background()));
    await visit('/signin', 'Sign in')(t.page);
    const dark = await styled();
    const toggle = t.page.getByRole('button', { name: 'Dark theme' });
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    const light = await styled();
    expect(light).not.toBe(dark);
    await t.page.reload();
    await heading(t.page, 'Sign in');
    expect(await styled()).toBe(light);
    expect(t.cspViolations).toEqual([]);
    await t.close();
  });
});
