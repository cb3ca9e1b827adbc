// Engine: SQLite only: the console in a browser; its stores run on both engines elsewhere (docs/testing.md).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { findLeaks, makeCanaries } from '../testkit/canary.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { launchChromium, leakSurfaces, openPage, screenshot } from '../testkit/browser.js';
import { signInThroughConsole, startConsoleSteward, type ConsoleSteward } from '../testkit/console.js';
import { useFleet } from '../testkit/fleet.js';

/**
 * A server added by its address through the console, on a real SSH host: the wizard (first-login password,
 * host-key fingerprint), enrolment and discovery shown as they happen, found credentials as locations only,
 * a discovery schedule, the host-key alarm and its resolution by an owner, the ledger, alerts, and removal
 * confirmed by the server's name.
 */
describe('console: a server added by address, from first login to removal', () => {
  const canaries = makeCanaries();
  const fleet = useFleet({
    count: 1,
    spec: () => ({
      name: 'db-host',
      users: [{ name: 'root', password: canaries.userPassword }],
      files: [
        {
          path: '/var/www/shop/.env',
          content: `APP_NAME=shop\nDB_HOST=127.0.0.1\nDB_USERNAME=shop\nDB_PASSWORD=${canaries.dbPassword}\n`,
          mode: 0o640,
        },
      ],
    }),
  });
  let env: ConsoleSteward;
  let browser: Browser;
  let owner: SignedUp;
  let host: TestHost;

  beforeAll(async () => {
    env = await startConsoleSteward({ jobs: true });
    browser = await launchChromium();
    owner = await signUp(env.s.app, {
      name: 'Sam Sysadmin',
      orgName: 'Bookshop Ltd',
      password: 'a long enough passphrase',
    });
    host = fleet.hosts[0]!;
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  it(
    'adds the server with a fingerprint, shows what discovery found, survives a host-key change and removes it by name',
    { timeout: 240_000 },
    async () => {
      const t = await openPage(browser, env.baseUrl);
      const { page } = t;
      const nav = () => page.getByRole('navigation', { name: 'Server sections' });
      try {
        await signInThroughConsole(page, owner.email, 'a long enough passphrase');
        await page.goto(`/orgs/${owner.orgId}/servers`);
        await page.getByText('No servers yet').waitFor();
        await page.getByRole('link', { name: 'Add a server' }).click();

        // 1. The wizard: where, first login (a password field), how to recognise it (a fingerprint, with the command to get one).
        await page.getByLabel('Name', { exact: true }).fill('db-1');
        await page.getByLabel('Address').fill(host.address);
        await page.getByLabel('SSH port').fill(String(host.port));
        await page.getByRole('button', { name: 'Next' }).click();
        const password = page.getByLabel('Password for the first login');
        expect(await password.getAttribute('type')).toBe('password');
        await password.fill(canaries.userPassword);
        await page.getByRole('button', { name: 'Next' }).click();
        await page.getByText('ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub').waitFor();
        // A malformed fingerprint is stopped before anything is sent.
        await page.getByRole('textbox', { name: 'Host key fingerprint' }).fill('SHA256:too-short');
        await page.getByRole('button', { name: 'Next' }).click();
        expect(
          await page
            .getByRole('list', { name: 'Steps to add a server' })
            .locator('[aria-current="step"]')
            .textContent(),
        ).toContain('Host key');
        await page.getByRole('textbox', { name: 'Host key fingerprint' }).fill(host.hostKeys[0]!.sha256);
        await page.getByRole('button', { name: 'Next' }).click();
        await page
          .getByText(`root@${host.address}${host.port === 22 ? '' : `:${host.port}`}`, { exact: true })
          .waitFor();
        await page.getByRole('button', { name: 'Add server' }).click();

        // 2. The server's page follows the first login and the first discovery by itself.
        await page.getByRole('heading', { level: 1, name: /db-1/ }).waitFor();
        await page.getByRole('heading', { name: 'What Steward knows' }).waitFor();
        await page.getByText(/Collected/).waitFor({ timeout: 60_000 });
        await page.getByText('Checked against the fingerprint you gave').waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('Ready');

        // 3. Found credentials: where and what, never the value.
        await nav()
          .getByRole('link', { name: /Found credentials/ })
          .click();
        const found = page.getByRole('row', { name: /\/var\/www\/shop\/\.env/ });
        await found.waitFor();
        expect(await found.textContent()).toContain('DB_PASSWORD');
        expect(await found.textContent()).toContain('sealed');
        await nav().getByRole('link', { name: 'Facts' }).click();
        await page
          .getByRole('navigation', { name: 'Fact categories' })
          .getByRole('link', { name: /Locations/ })
          .click();
        await page.getByRole('row', { name: /\/var\/www\/shop\/\.env/ }).waitFor();

        // 4. A discovery schedule, a standing instruction.
        await nav().getByRole('link', { name: 'Settings' }).click();
        await page.getByLabel('How often').selectOption('60');
        await page.getByRole('button', { name: 'Turn on' }).click();
        await page.getByRole('status').filter({ hasText: 'every 60 minutes' }).waitFor();

        // 5. The host key changes: discovery is refused, the page raises the alarm with both fingerprints.
        const pinned = host.hostKeys[0]!.sha256;
        await host.regenerateHostKeys();
        const presented = host.hostKeys[0]!.sha256;
        await nav().getByRole('link', { name: 'Overview' }).click();
        await page.getByRole('button', { name: 'Discover now' }).click();
        const alarm = page.getByRole('region', { name: 'The server’s SSH host key changed' });
        await alarm.waitFor({ timeout: 60_000 });
        expect(await alarm.textContent()).toContain(pinned);
        await screenshot(page, 'server-blocked');
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
        await page.getByRole('heading', { name: /db-1: the SSH host key changed/ }).waitFor();
        await page.getByRole('link', { name: 'db-1' }).click();
        // Only the fingerprint the server presents can be trusted; the owner types what they read on the server.
        const typed = alarm.getByLabel('Fingerprint you read on the server');
        const trust = alarm.getByRole('button', { name: 'Trust the new host key' });
        await typed.fill(pinned);
        expect(await trust.isDisabled()).toBe(true);
        await typed.fill(presented);
        await trust.click();
        await alarm.waitFor({ state: 'detached' });
        await page.getByRole('heading', { level: 1 }).getByText('Ready').waitFor();
        await page.getByText(presented).waitFor();

        // 6. The ledger names every login, with the person's request behind it.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credential use' }).click();
        await page.getByRole('heading', { level: 1, name: 'Credential use' }).waitFor();
        await page
          .getByRole('rowheader', { name: /SSH login/ })
          .first()
          .waitFor();
        expect(await page.getByRole('row', { name: /First-login password or key/ }).count()).toBeGreaterThan(0);
        expect(await page.getByText('Asked by Sam Sysadmin').count()).toBeGreaterThan(0);
        expect(await page.getByRole('row', { name: /blocked/ }).count()).toBeGreaterThan(0);

        // 7. The list filters by status and name; removal needs the server's exact name.
        await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Servers' }).click();
        await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
        await page.getByRole('row', { name: /db-1/ }).waitFor();
        await page.getByLabel('Status').selectOption('blocked');
        await page.getByText('No server matches these filters').waitFor();
        expect(new URL(page.url()).searchParams.get('status')).toBe('blocked');
        await page.getByLabel('Status').selectOption('');
        await page.getByLabel('Name or address').fill('db');
        await page.getByRole('link', { name: 'db-1' }).click();
        await nav().getByRole('link', { name: 'Settings' }).click();
        await page.getByRole('button', { name: 'Remove db-1' }).click();
        const confirm = page.getByRole('dialog', { name: 'Remove “db-1”?' });
        await confirm.getByLabel('Type “db-1” to confirm').fill('db');
        expect(await confirm.getByRole('button', { name: 'Remove server' }).isDisabled()).toBe(true);
        await confirm.getByLabel('Type “db-1” to confirm').fill('db-1');
        await confirm.getByRole('button', { name: 'Remove server' }).click();
        await page.getByRole('heading', { level: 1, name: 'Servers' }).waitFor();
        await page.getByText('No servers yet').waitFor({ timeout: 60_000 });
        // Steward took its key off the server on the way out.
        expect((await host.readFile('/root/.ssh/authorized_keys')).toString()).not.toContain(
          (await env.s.core.orgKeys.publicKey(owner.orgId)).publicKey.split(' ')[1],
        );

        const surfaces = await leakSurfaces(t);
        await t.close();
        const secrets = { password: canaries.userPassword, dbPassword: canaries.dbPassword };
        const leaks = Object.entries(surfaces).flatMap(([where, text]) => findLeaks(text, secrets, where));
        expect([...leaks, ...findLeaks(t.apiBodies.join('\n'), secrets, 'api answers')]).toEqual([]);
        expect([...t.cspViolations, ...t.errors]).toEqual([]);
      } catch (err) {
        await screenshot(page, 'servers-failure').catch(() => undefined);
        throw err;
      } finally {
        await t.context.close().catch(() => undefined);
      }
    },
  );
});
