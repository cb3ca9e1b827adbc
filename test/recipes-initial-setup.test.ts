/**
 * initial-setup, then web-server, on one real isolated host (Debian, no systemd: services run from their init
 * scripts). The host starts out the way many real servers do: password logins on, root allowed, X11 forwarding,
 * a drop-in that turns passwords on again, the firewall off and letting everything in, no auto-upgrade config,
 * cron and fail2ban stopped. Each recipe's first run changes it, checked on the host independently; its second
 * run, through sudo as the new administrator, changes nothing.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Recipe } from '../src/core/tasks/recipe.js';
import initialSetup from '../src/core/tasks/recipes/initial-setup.js';
import webServer from '../src/core/tasks/recipes/web-server.js';
import {
  createSshExecutor,
  generateEd25519KeyPair,
  type RemoteExecutor,
  type StepRunResult,
} from '../src/remote/index.js';
import { sshExec, useFleet } from '../testkit/fleet.js';
import {
  createTaskContext,
  failureOf,
  fleetTarget,
  RECIPE_HOST_PACKAGES,
  runRecipe,
  statuses,
  type TestTaskContext,
} from '../testkit/task-context.js';

const OLD_PASSWORD = 'old-Password-4-legacy';
const ADMIN = 'steward-admin';
const admin = generateEd25519KeyPair('org-key@steward');

const fleet = useFleet({
  count: 1,
  extraPackages: RECIPE_HOST_PACKAGES,
  spec: () => ({
    name: 'setup',
    users: [{ name: 'legacy', password: OLD_PASSWORD }],
    sshd: { PermitRootLogin: 'yes', X11Forwarding: 'yes', MaxAuthTries: '6' },
    // What cloud images ship: a drop-in that would beat a later drop-in of ours, read after the main settings.
    files: [{ path: '/etc/ssh/sshd_config.d/50-cloud-init.conf', content: 'PasswordAuthentication yes\n' }],
  }),
});

let executor: RemoteExecutor;
const host = () => fleet.hosts[0]!;
const sh = async (script: string) => host().run(['sh', '-c', script]);

/** Runs a recipe over one SSH session as `username` (root with the fleet key, or the administrator). */
async function run(
  recipe: Recipe,
  params: unknown,
  as: 'root' | 'admin',
): Promise<{ result: StepRunResult; ctx: TestTaskContext }> {
  const login =
    as === 'root'
      ? { username: 'root', privateKey: fleet.clientKey.privateKey }
      : { username: ADMIN, privateKey: admin.privateKey.reveal() };
  return executor.withSession(fleetTarget(host(), login), async (session) => {
    const ctx = createTaskContext(session, { username: login.username, address: host().address });
    const result = await runRecipe(recipe, params, ctx);
    return { result, ctx };
  });
}

/** Connects from this machine to the host; 'open', 'refused', or 'silent' when a firewall drops the packets. */
function probePort(port: number, timeoutMs = 1500): Promise<'open' | 'refused' | 'silent'> {
  return new Promise((resolve) => {
    const socket = connect({ host: host().address, port });
    const done = (outcome: 'open' | 'refused' | 'silent') => (socket.destroy(), resolve(outcome));
    socket.setTimeout(timeoutMs, () => done('silent'));
    socket.once('connect', () => done('open'));
    socket.once('error', () => done('refused'));
  });
}

const params = { authorizedKey: admin.publicKey };

beforeAll(async () => {
  executor = createSshExecutor({ commandTimeoutMs: 300_000 });
  // 1. The unhardened starting point described at the top.
  expect(
    (
      await sh(
        'ufw default allow incoming >/dev/null && rm -f /etc/apt/apt.conf.d/20auto-upgrades /etc/nginx/sites-enabled/default',
      )
    ).code,
  ).toBe(0);
  // 2. A port with a listener, to see the firewall close it.
  await host().spawnDaemon(['nc', '-lk', '8080']);
});

afterAll(async () => {
  await executor?.close();
});

describe('initial-setup on a real host', () => {
  it('starts from a host that takes passwords and lets anything in', async () => {
    expect((await sshExec(host(), { username: 'legacy', password: OLD_PASSWORD }, 'id -un')).stdout.trim()).toBe(
      'legacy',
    );
    expect(await probePort(8080)).toBe('open');
  });

  it('first run: hardens the host, with every step that had work to do reported changed', async () => {
    const { result, ctx } = await run(initialSetup, params, 'root');
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({
      'sudo-installed': 'unchanged',
      'admin-user': 'changed',
      'admin-sudo': 'changed',
      'admin-authorized-key': 'changed',
      'sshd-hardened': 'changed',
      'firewall-installed': 'unchanged',
      'firewall-allows-ssh': 'changed',
      'firewall-default-deny': 'changed',
      'firewall-enabled': 'changed',
      'auto-upgrades-installed': 'unchanged',
      'auto-upgrades-configured': 'changed',
      'auto-upgrades-scheduled': 'changed',
      'brute-force-installed': 'unchanged',
      'brute-force-jail': 'changed',
      'brute-force-at-boot': 'unchanged',
      'brute-force-active': 'changed',
    });
    expect(ctx.lines).toEqual(
      expect.arrayContaining([
        'sshd: PasswordAuthentication no (was yes)',
        'sshd: PermitRootLogin prohibit-password (was yes)',
        'sshd: X11Forwarding no (was yes)',
        'sshd: MaxAuthTries 4 (was 6)',
        'firewall: allowed SSH on 22/tcp',
        'firewall: incoming connections are denied unless a rule allows them (was ACCEPT)',
      ]),
    );
  });

  it('sshd: the settings are in effect in the running daemon, and passwords no longer log in', async () => {
    const effective = (await host().run(['sshd', '-T'])).stdout;
    for (const line of [
      'passwordauthentication no',
      'kbdinteractiveauthentication no',
      'x11forwarding no',
      'maxauthtries 4',
    ])
      expect(effective).toContain(`\n${line}\n`);
    expect(effective).toMatch(/\npermitrootlogin (prohibit-password|without-password)\n/);
    expect((await host().run(['sshd', '-t'])).code).toBe(0);
    await expect(sshExec(host(), { username: 'legacy', password: OLD_PASSWORD }, 'id -un')).rejects.toThrow(
      /authentication/i,
    );
  });

  it('the administrator logs in with the organisation key and has passwordless sudo', async () => {
    const id = await host().run(['id', ADMIN]);
    expect(id.code).toBe(0);
    expect((await host().run(['getent', 'passwd', ADMIN])).stdout.trim()).toMatch(
      new RegExp(`^${ADMIN}:x:\\d+:\\d+::/home/${ADMIN}:/bin/bash$`),
    );
    expect((await host().run(['stat', '-c', '%a %U', '/etc/sudoers.d/90-steward-steward-admin'])).stdout.trim()).toBe(
      '440 root',
    );
    const login = await sshExec(
      host(),
      { username: ADMIN, privateKey: admin.privateKey.reveal() },
      'id -un; sudo -n id -u',
    );
    expect(login.stdout).toBe(`${ADMIN}\n0\n`);
  });

  it('the firewall is on: SSH open to new logins, every other port silent', async () => {
    const status = (await host().run(['ufw', 'status', 'verbose'])).stdout;
    expect(status).toContain('Status: active');
    expect(status).toContain('Default: deny (incoming)');
    expect(status).toMatch(/^22\/tcp\s+ALLOW IN\s+Anywhere/m);
    expect(await probePort(22)).toBe('open');
    expect(await probePort(8080)).toBe('silent');
    // The listener is still there; only the firewall keeps it out of reach.
    expect((await host().run(['nc', '-z', '127.0.0.1', '8080'])).code).toBe(0);
  });

  it('unattended upgrades are configured and cron runs apt’s daily job', async () => {
    const config = (await host().run(['apt-config', 'dump'])).stdout;
    expect(config).toContain('APT::Periodic::Update-Package-Lists "1";');
    expect(config).toContain('APT::Periodic::Unattended-Upgrade "1";');
    expect((await sh('test -x /etc/cron.daily/apt-compat && service cron status')).code).toBe(0);
  });

  it('fail2ban bans an address that keeps failing SSH logins, through ufw', async () => {
    // sshd here logs to its own stderr (it is the host's pid 1), so the failures are written as syslog would.
    const lines = await sh(
      'for i in 1 2 3 4 5 6; do echo "$(date "+%b %e %H:%M:%S") setup sshd[70$i]: Failed password for root from 192.0.2.66 port 4$i000 ssh2"; done >> /var/log/auth.log',
    );
    expect(lines.code).toBe(0);
    let banned = '';
    for (let i = 0; i < 40 && !banned.includes('192.0.2.66'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      banned = (await host().run(['fail2ban-client', 'status', 'sshd'])).stdout;
    }
    expect(banned).toMatch(/Banned IP list:\s+192\.0\.2\.66/);
    // fail2ban records the ban first and runs its ufw action right after; on a busy machine that takes a moment.
    let rules = '';
    for (let i = 0; i < 80 && !/REJECT\s+192\.0\.2\.66/.test(rules); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      rules = (await host().run(['ufw', 'status'])).stdout;
    }
    expect(rules).toMatch(/REJECT\s+192\.0\.2\.66/);
  });

  it('second run, as the administrator through sudo: every step unchanged', async () => {
    const { result } = await run(initialSetup, params, 'admin');
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(result.outcomes.filter((o) => o.status !== 'unchanged').map((o) => o.id)).toEqual([]);
    expect(result.outcomes).toHaveLength(16);
  });

  it('a hardened file that the running sshd has not read yet is not taken for hardening: the run reloads it', async () => {
    // 1. The daemon reads a config that takes passwords again; then the hardened file comes back unread.
    const hardened = (await host().readFile('/etc/ssh/sshd_config')).toString();
    await host().writeFile('/etc/ssh/sshd_config', `PasswordAuthentication yes\n${hardened}`);
    expect((await host().run(['service', 'ssh', 'reload'])).code).toBe(0);
    await expect
      .poll(() =>
        sshExec(host(), { username: 'legacy', password: OLD_PASSWORD }, 'true').then(
          () => 'in',
          () => 'out',
        ),
      )
      .toBe('in');
    await host().writeFile('/etc/ssh/sshd_config', hardened);
    // 2. sshd -T agrees with the file; only the daemon's offered methods tell the truth, and the step acts on them.
    const { result, ctx } = await run(initialSetup, params, 'root');
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(result.outcomes.filter((o) => o.status === 'changed').map((o) => o.id)).toEqual(['sshd-hardened']);
    expect(ctx.lines.filter((l) => l.startsWith('sshd'))).toEqual([
      'sshd reloaded (service ssh reload); open sessions stay connected',
    ]);
    await expect(sshExec(host(), { username: 'legacy', password: OLD_PASSWORD }, 'true')).rejects.toThrow(
      /authentication/i,
    );
  });
});

describe('web-server on the same host, behind its new firewall', () => {
  it('first run: nginx started, a default site answering on port 80, port 80 opened', async () => {
    const { result, ctx } = await run(webServer, {}, 'admin');
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(statuses(result)).toEqual({
      'web-installed': 'unchanged',
      'web-at-boot': 'unchanged',
      'web-running': 'changed',
      'web-default-site': 'changed',
      'firewall-allows-http': 'changed',
    });
    expect(ctx.lines).toContain('firewall: allowed HTTP on 80/tcp');
    expect((await host().run(['ss', '-ltn'])).stdout).toMatch(/0\.0\.0\.0:80\s/);
    expect(
      (await host().run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.0.0.1/'])).stdout,
    ).toBe('200');
    // From outside, through the firewall.
    const page = await fetch(`http://${host().address}/`, { signal: AbortSignal.timeout(5000) });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('looked after by Steward');
  });

  it('second run: every step unchanged', async () => {
    const { result } = await run(webServer, {}, 'admin');
    expect(result.ok, String(failureOf(result))).toBe(true);
    expect(result.outcomes.map((o) => o.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
  });
});
