import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import { defineRecipe, type TaskContext } from '../recipe.js';
import { change, inspect, sh, stderrTail, succeeds } from './exec.js';
import { requirePackageManager, type PackageManager } from './host.js';
import { pendingUpgrades, refreshCommand, simulateUpgradeCommand, upgradeCommand } from './packages.js';
import { noParams, type NoParams } from './params.js';

/** Lists younger than this are fresh enough to decide what is pending. */
const FRESH_MINUTES = 60;

/**
 * When the lists were last refreshed successfully. For apt it is apt's own stamp, which its daily job touches
 * too; the other managers get one of Steward's.
 */
export function listsStamp(pm: PackageManager): string {
  return pm === 'apt' ? '/var/lib/apt/periodic/update-success-stamp' : '/var/cache/steward/package-lists-refreshed';
}

const FRESH_SCRIPT = '[ -n "$(find "$1" -maxdepth 0 -mmin -"$2" 2>/dev/null)" ]';
const TOUCH_SCRIPT = 'mkdir -p -- "$(dirname -- "$1")" && touch -- "$1"';

/**
 * apt-get update exits 0 when a repository cannot be reached and says so only in W: lines; the new state would
 * then be judged against old lists, so those lines count as a failure here.
 */
export function listFetchProblems(output: string): string[] {
  return output
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) =>
        /^E: /.test(line) ||
        /^Err:\d* /.test(line) ||
        (/^W: /.test(line) && /Failed to fetch|failed to download|GPG error|not signed/i.test(line)),
    );
}

const listsStep: Step<TaskContext> = {
  id: 'package-lists-fresh',
  description: `package lists were refreshed within the last ${FRESH_MINUTES} minutes`,
  async check(ctx) {
    const pm = await requirePackageManager(ctx);
    return succeeds(ctx, sh(FRESH_SCRIPT, listsStamp(pm), String(FRESH_MINUTES)));
  },
  async apply(ctx) {
    const pm = await requirePackageManager(ctx);
    let output: string;
    let failed: unknown;
    try {
      const result = await change(ctx, refreshCommand(pm), { timeoutMs: 15 * 60_000 });
      output = `${result.stdout}\n${result.stderr}`;
    } catch (error) {
      failed = error;
      output = stderrTail(error, 20);
    }
    const problems = listFetchProblems(output);
    if (problems.length > 0 || failed !== undefined) {
      const words = (problems.length > 0 ? problems : output.trim().split('\n')).slice(-6).join('\n');
      throw new AppError(
        'STEWARD_RECIPE_PACKAGE_LISTS_FAILED',
        `The package lists could not be refreshed, so Steward cannot tell which updates are pending (is the server offline, or a repository down?):\n${words}`,
        { packageManager: pm },
        failed === undefined ? undefined : { cause: failed },
      );
    }
    await inspect(ctx, sh(TOUCH_SCRIPT, listsStamp(pm)));
    ctx.log('package lists refreshed');
  },
};

async function pending(ctx: TaskContext, pm: PackageManager): Promise<string[]> {
  const result = await inspect(ctx, simulateUpgradeCommand(pm), {
    acceptExitCodes: pm === 'dnf' || pm === 'yum' ? [0, 100] : [0],
  });
  return pendingUpgrades(pm, result.stdout);
}

const upgradeStep: Step<TaskContext> = {
  id: 'upgrades-applied',
  description: 'no package upgrades are pending',
  check: async (ctx) => (await pending(ctx, await requirePackageManager(ctx))).length === 0,
  async apply(ctx) {
    const pm = await requirePackageManager(ctx);
    const names = await pending(ctx, pm);
    await change(ctx, upgradeCommand(pm), { timeoutMs: 60 * 60_000 }).catch((error: unknown) => {
      throw new AppError(
        'STEWARD_RECIPE_PACKAGE_FAILED',
        `Upgrading packages failed:\n${stderrTail(error)}`,
        { packageManager: pm },
        { cause: error },
      );
    });
    ctx.log(`upgraded ${names.length} package${names.length === 1 ? '' : 's'}: ${names.join(', ')}`);
    if (await succeeds(ctx, ['test', '-e', '/var/run/reboot-required']))
      ctx.log('the server asks for a reboot to finish the upgrade (/var/run/reboot-required)');
  },
};

/**
 * Patches the operating system: fresh package lists, then every pending upgrade applied (apt-get upgrade, dnf
 * upgrade or apk upgrade), keeping configuration files the customer changed. A server with nothing pending is
 * left alone; lists that cannot be refreshed fail the task with the package manager's own words.
 */
export default defineRecipe<NoParams>({
  id: 'patch-os',
  title: 'Patch the operating system',
  description: 'Refresh package lists and apply every pending upgrade.',
  kind: 'state',
  params: noParams,
  steps: () => [listsStep, upgradeStep],
});
