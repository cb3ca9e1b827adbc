/**
 * Initial setup, part four: security updates install themselves. On apt hosts that is unattended-upgrades,
 * switched on in /etc/apt/apt.conf.d/20auto-upgrades (the file Debian's own `dpkg-reconfigure
 * unattended-upgrades` writes) and run daily by apt's systemd timers or, without systemd, by cron.
 */
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { change, failure, inspect, succeeds } from './exec.js';
import { writeFile } from './files.js';
import { hostFacts, requirePackageManager } from './host.js';
import { installedVersions, installPackages, packageStep } from './packages.js';
import { findService, isRunning, startService, enableCommand, enabledCommand } from './services.js';

export const AUTO_UPGRADES_FILE = '/etc/apt/apt.conf.d/20auto-upgrades';

const WANTED: ReadonlyArray<readonly [string, string]> = [
  ['APT::Periodic::Update-Package-Lists', '1'],
  ['APT::Periodic::Unattended-Upgrade', '1'],
];

export const autoUpgradesContent = (): string =>
  [
    '// Managed by Steward: refresh package lists and install security updates every day.',
    ...WANTED.map(([k, v]) => `${k} "${v}";`),
    '',
  ].join('\n');

/** Settings from `apt-config dump` (every apt.conf.d file merged, later files winning), by name. */
export function parseAptConfig(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+) "(.*)";$/.exec(line.trim());
    if (match?.[1]) out.set(match[1], match[2] ?? '');
  }
  return out;
}

async function requireApt(ctx: TaskContext): Promise<void> {
  if ((await requirePackageManager(ctx)) !== 'apt') {
    throw new AppError(
      'STEWARD_RECIPE_UNSUPPORTED_HOST',
      'Automatic security updates are set up on apt-based servers (Debian, Ubuntu) only so far.',
    );
  }
}

export const autoUpgradesPackageStep = packageStep('auto-upgrades-installed', 'unattended-upgrades', {
  apt: ['unattended-upgrades'],
});

export const autoUpgradesConfigStep: Step<TaskContext> = {
  id: 'auto-upgrades-configured',
  description: 'apt refreshes its lists and installs updates every day',
  async check(ctx) {
    await requireApt(ctx);
    const config = parseAptConfig((await inspect(ctx, ['apt-config', 'dump'])).stdout);
    return WANTED.every(([key, value]) => config.get(key) === value);
  },
  async apply(ctx) {
    await writeFile(ctx, {
      path: AUTO_UPGRADES_FILE,
      content: autoUpgradesContent(),
      mode: 0o644,
      what: AUTO_UPGRADES_FILE,
    });
    ctx.log(`unattended upgrades switched on (${AUTO_UPGRADES_FILE})`);
  },
};

const APT_TIMERS = ['apt-daily.timer', 'apt-daily-upgrade.timer'];

/** Without systemd, apt's daily job is /etc/cron.daily/apt-compat, so cron must be installed, on and at boot. */
async function cronReady(ctx: TaskContext): Promise<boolean> {
  const installed = await installedVersions(ctx, 'apt', ['cron']);
  if (installed.get('cron') === undefined) return false;
  if (!(await succeeds(ctx, ['test', '-x', '/etc/cron.daily/apt-compat']))) return false;
  const cron = await findService(ctx, 'cron');
  const enabled = enabledCommand(cron);
  return (await isRunning(ctx, cron)) && (enabled === undefined || (await succeeds(ctx, enabled)));
}

export const autoUpgradesScheduleStep: Step<TaskContext> = {
  id: 'auto-upgrades-scheduled',
  description: "apt's daily job is scheduled (systemd timers, or cron)",
  async check(ctx) {
    await requireApt(ctx);
    if ((await hostFacts(ctx)).init === 'systemd') {
      for (const timer of APT_TIMERS)
        if (!(await succeeds(ctx, ['systemctl', 'is-enabled', '--quiet', timer]))) return false;
      return true;
    }
    return cronReady(ctx);
  },
  async apply(ctx) {
    if ((await hostFacts(ctx)).init === 'systemd') {
      await change(ctx, ['systemctl', 'enable', '--now', ...APT_TIMERS]).catch((error: unknown) => {
        throw failure('STEWARD_RECIPE_SERVICE_FAILED', "Could not switch on apt's daily timers", error);
      });
      ctx.log("apt's daily timers are on");
      return;
    }
    if ((await installedVersions(ctx, 'apt', ['cron'])).get('cron') === undefined) {
      await installPackages(ctx, 'apt', ['cron']);
      ctx.log("installed cron, which runs apt's daily job on servers without systemd");
    }
    const cron = await findService(ctx, 'cron');
    const enable = enableCommand(cron);
    if (enable) await change(ctx, enable);
    if (!(await isRunning(ctx, cron))) await startService(ctx, cron);
  },
};
