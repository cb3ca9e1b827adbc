// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { launcherInstanceHosts } from '../src/sandbox/instance-hosts.js';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { TestClient } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, screenshot } from '../testkit/browser.js';
import {
  confirmThroughConsole,
  SANDBOX_ENV,
  sandboxExportLines,
  signInThroughConsole,
  startConsoleSteward,
  type ConsoleSteward,
} from '../testkit/console.js';
import { useFleet } from '../testkit/fleet.js';

/**
 * Someone with nothing but this machine: they sign up, connect the sandbox EC2 cloud by pasting what
 * `npm start -- --sandbox` printed, launch a server (a real SSH host), watch it being discovered, and run a
 * command on it with live output. Everything through the console in Chromium, against a real Steward.
 */
describe('console: the newcomer journey on the sandbox clouds', () => {
  const fleet = useFleet();
  const canaries = makeCanaries();
  let clouds: SandboxClouds;
  let env: ConsoleSteward;
  let browser: Browser;
  const timings: Record<string, number> = {};
  const email = `nora-${canaries.runId}@example.com`;
  let mark = Date.now();
  const lap = (name: string) => {
    timings[name] = Date.now() - mark;
    mark = Date.now();
  };

  beforeAll(async () => {
    // The sandbox accepts exactly these keys, so the secret is a canary the page must never show or keep.
    clouds = await startSandboxClouds({
      hosts: launcherInstanceHosts(fleet.launcher),
      transitionMs: 300,
      imagingMs: 300,
      credentials: { aws: { accessKeyId: canaries.awsAccessKeyId, secretAccessKey: canaries.awsSecretAccessKey } },
    });
    env = await startConsoleSteward({ env: SANDBOX_ENV, jobs: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    console.log('Newcomer journey timings (ms):', timings);
    await browser?.close();
    await env?.close();
    await clouds?.close();
  });

  it(
    'signs up, connects the sandbox, launches a server, sees it discovered and runs a command with live output',
    { timeout: 240_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      const secrets = { secretAccessKey: canaries.awsSecretAccessKey, password: canaries.userPassword };
      try {
        mark = Date.now();
        // 1. Sign up; the empty organisation offers the way in.
        await page.goto('/signup');
        await page.getByLabel('Your name').fill('Nora Newcomer');
        await page.getByLabel('E-mail address').fill(email);
        await page.getByLabel('Password').fill(canaries.userPassword);
        await page.getByLabel('Organisation name').fill('First Steps Ltd');
        await page.getByRole('button', { name: 'Create account' }).click();
        await confirmThroughConsole(page, env.s, email, canaries.userPassword);
        await page.getByRole('heading', { level: 1, name: 'First Steps Ltd' }).waitFor();
        await page.getByRole('heading', { name: 'Start with a server' }).waitFor();
        await page.getByRole('link', { name: 'Get started' }).click();
        await page.getByRole('heading', { level: 1, name: 'Get started' }).waitFor();
        lap('sign up');

        // 2. Connect the sandbox EC2 cloud by pasting the export lines; the key shows only as its hint.
        const lines = page.getByLabel('The export lines it printed');
        expect(await lines.getAttribute('type')).toBe('password');
        await lines.fill(sandboxExportLines(clouds));
        await page.getByRole('button', { name: 'Connect the sandbox' }).click();
        await page
          .getByRole('status')
          .filter({ hasText: `Connected “Sandbox EC2” (key …${canaries.awsAccessKeyId.slice(-4)})` })
          .waitFor();
        lap('connect the sandbox');

        // 3. Launch through the wizard: account, size and zone, image (found by name), name.
        await page.getByRole('link', { name: 'Launch an instance' }).click();
        await page.getByRole('heading', { level: 1, name: 'Launch an instance' }).waitFor();
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByLabel('Size').selectOption('t3.micro');
        await page.getByRole('button', { name: 'Next' }).click();
        await page
          .getByLabel('Image', { exact: true })
          .selectOption({ label: 'sandbox-debian-12-amd64 (ami-0a5a4db0c0de00001)' });
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByLabel('Name', { exact: true }).fill('web-1');
        await screenshot(page, 'newcomer-launch-review');
        await page.getByRole('button', { name: 'Launch', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'Launching web-1' }).waitFor();
        await page.getByRole('list', { name: 'Launch stages' }).waitFor();
        lap('launch wizard');

        // 4. The launch page follows the stages to a ready server and its first discovery.
        await page
          .getByRole('status')
          .filter({ hasText: /^Discovered/ })
          .waitFor({ timeout: 120_000 });
        expect(
          await page
            .getByRole('list', { name: 'Launch stages' })
            .getByText(/: done/)
            .count(),
        ).toBe(6);
        await screenshot(page, 'newcomer-launch-ready');
        lap('launch until discovered');
        await page.getByRole('link', { name: 'Open the server' }).click();
        await page.getByRole('heading', { level: 1, name: 'web-1' }).waitFor();
        await page
          .getByText(/Debian GNU\/Linux 12/)
          .first()
          .waitFor();
        await page.getByRole('navigation', { name: 'Server sections' }).getByRole('link', { name: 'Facts' }).click();
        await page
          .getByRole('navigation', { name: 'Fact categories' })
          .getByRole('link', { name: /Packages and apps/ })
          .click();
        await page.getByRole('rowheader', { name: 'openssh-server' }).waitFor();
        await page.getByRole('navigation', { name: 'Fact categories' }).getByRole('link', { name: /Ports/ }).click();
        await page.getByRole('rowheader', { name: 'tcp/22' }).first().waitFor();
        lap('server facts');

        // 5. Run a command on it: the output arrives live over server-sent events, with progress.
        await page.getByRole('navigation', { name: 'Server sections' }).getByRole('link', { name: 'Tasks' }).click();
        await page.getByRole('textbox', { name: 'Command' }).fill('sh -c "echo started; uname -s; echo done-$((6*7))"');
        await page.getByRole('button', { name: 'Run', exact: true }).click();
        await page.waitForURL(/\/tasks\/run_/);
        await page.getByRole('progressbar', { name: 'Servers finished' }).waitFor();
        const output = page.getByLabel('Output of web-1');
        await output.getByText(/done-42/).waitFor({ timeout: 60_000 });
        expect(await output.textContent()).toContain('Linux');
        await page.getByRole('heading', { level: 1 }).getByText('Succeeded').waitFor();
        expect(t.eventStreams.some((u) => /\/task-runs\/run_[0-9a-z]+\/events$/.test(u))).toBe(true);
        await screenshot(page, 'newcomer-run-output');
        lap('command with live output');

        // 6. The server page links its recorded terminal.
        await page.getByRole('link', { name: 'web-1' }).first().click();
        await page
          .getByRole('navigation', { name: 'Server sections' })
          .getByRole('link', { name: 'Terminal' })
          .waitFor();

        // 7. The onboarding checklist ticked itself; nothing secret anywhere the browser keeps or shows.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click();
        await page.getByRole('heading', { level: 1, name: 'First Steps Ltd' }).waitFor();
        await page.getByRole('link', { name: 'Servers 1 All in order' }).waitFor();
        // The overview may first draw from lists fetched before the run; it settles once they are fresh.
        await page.getByRole('link', { name: 'Get started' }).waitFor({ state: 'detached', timeout: 15_000 });
        const surfaces = await leakSurfaces(t);
        await t.close();
        const leaks = Object.entries(surfaces).flatMap(([where, text]) => findLeaks(text, secrets, where));
        expect([
          ...leaks,
          ...findLeaks(t.apiBodies.join('\n'), { secretAccessKey: canaries.awsSecretAccessKey }, 'api answers'),
        ]).toEqual([]);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
      } catch (err) {
        await screenshot(page, 'newcomer-failure').catch(() => undefined);
        throw err;
      } finally {
        await t.context.close().catch(() => undefined);
      }
    },
  );
  it(
    'stops, starts, imports again and terminates the instance only after its name is typed',
    { timeout: 180_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      try {
        await signInThroughConsole(page, email, canaries.userPassword);
        await page.waitForURL(/\/orgs\/org_[0-9a-z]{26}$/);
        const orgPath = new URL(page.url()).pathname;
        const signin = await new TestClient(env.s.app).post('/api/auth/signin', {
          email,
          password: canaries.userPassword,
        });
        const api = new TestClient(env.s.app, {
          cookie: String(signin.headers['set-cookie']).split(';')[0]!,
          csrf: signin.body.csrfToken,
        });
        const row = page.getByRole('row', { name: /web-1/ });
        mark = Date.now();

        // 1. Stop and start from the list; the row follows the instance's state by itself.
        await page.goto(`${orgPath}/instances`);
        await row.getByText('Running').waitFor();
        await page.getByRole('button', { name: 'Stop web-1' }).click();
        await page.getByRole('status').filter({ hasText: 'web-1 is stopping.' }).waitFor();
        await row.getByText('Stopped').waitFor({ timeout: 60_000 });
        await page.getByRole('button', { name: 'Start web-1' }).click();
        await row.getByText('Running').waitFor({ timeout: 60_000 });
        lap('stop and start');

        // 2. An instance Steward does not manage (its server forgotten, the key left on it) is imported again.
        const servers = (await api.get(`/api${orgPath}/servers`)).body.servers as { id: string }[];
        expect((await api.delete(`/api${orgPath}/servers/${servers[0]!.id}?force=true`)).status).toBe(202);
        await page.reload();
        await row.getByText('not managed').waitFor();
        await page.getByRole('button', { name: 'Import web-1' }).click();
        const dialog = page.getByRole('dialog', { name: 'Import “web-1”' });
        await dialog.getByLabel(/Trust the host key/).check();
        await dialog.getByRole('button', { name: 'Import' }).click();
        await page.getByRole('heading', { level: 1, name: /web-1/ }).waitFor();
        await page.getByRole('heading', { level: 1 }).getByText('Ready').waitFor({ timeout: 60_000 });
        lap('import');

        // 3. Terminate: refused until the exact name is typed; then the instance goes and its server with it.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Cloud instances' }).click();
        await row.getByText('Running').waitFor();
        await screenshot(page, 'instances-running');
        await page.getByRole('button', { name: 'Terminate web-1' }).click();
        const confirm = page.getByRole('dialog', { name: 'Terminate “web-1”?' });
        const go = confirm.getByRole('button', { name: 'Terminate instance' });
        await confirm.getByLabel('Type “web-1” to confirm').fill('web-');
        expect(await go.isDisabled()).toBe(true);
        await confirm.getByLabel('Type “web-1” to confirm').fill('web-1');
        await go.click();
        await page.getByRole('status').filter({ hasText: 'web-1 is being terminated' }).waitFor();
        await row.getByText('Terminated').waitFor({ timeout: 60_000 });
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Servers' }).click();
        await page.getByText('No servers yet').waitFor();
        lap('terminate');
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
      } catch (err) {
        await screenshot(page, 'instances-failure').catch(() => undefined);
        throw err;
      } finally {
        await t.close();
      }
    },
  );
});
