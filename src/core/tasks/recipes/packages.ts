/**
 * Packages through whichever manager the server has. The command builders are pure (and unit-tested); the
 * step asks the package database first, so a package already present is `unchanged` and never reinstalled.
 */
import { AppError } from '../../../kernel/errors.js';
import type { Argv, Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { change, failure, inspect, stderrTail } from './exec.js';
import { requirePackageManager, type PackageManager } from './host.js';

/** Package names by manager; yum uses the dnf names. A manager left out means "not available there". */
export interface PackageNames {
  readonly apt?: readonly string[];
  readonly dnf?: readonly string[];
  readonly apk?: readonly string[];
}

/** No prompts, and keep the customer's edited config files when a package ships a new one. */
const APT_ENV = ['env', 'DEBIAN_FRONTEND=noninteractive', 'NEEDRESTART_MODE=a'] as const;
const APT_KEEP_CONFIG = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold'] as const;

export function namesFor(pm: PackageManager, names: PackageNames): readonly string[] | undefined {
  return pm === 'apt' ? names.apt : pm === 'apk' ? names.apk : names.dnf;
}

/** Asks whether one package is installed: exit 0 and its version on stdout when it is. */
export function installedQuery(pm: PackageManager, name: string): Argv {
  switch (pm) {
    case 'apt':
      // dpkg-query also knows removed-but-configured packages; the status column tells them apart.
      return ['dpkg-query', '--show', '--showformat=${db:Status-Status} ${Version}\\n', name];
    case 'dnf':
    case 'yum':
      return ['rpm', '-q', '--queryformat', '%{VERSION}-%{RELEASE}\\n', name];
    case 'apk':
      return ['apk', 'info', '-e', name];
  }
}

/** The installed version from `installedQuery`'s output, or undefined when it says "not installed". */
export function parseInstalled(pm: PackageManager, exitCode: number, stdout: string): string | undefined {
  if (exitCode !== 0) return undefined;
  const line = stdout.trim().split('\n')[0] ?? '';
  if (pm === 'apt') {
    const [status, version] = line.split(' ');
    return status === 'installed' && version ? version : undefined;
  }
  if (pm === 'apk') return line.length > 0 ? '' : undefined;
  return line.length > 0 ? line : undefined;
}

export function installCommand(pm: PackageManager, names: readonly string[]): Argv {
  switch (pm) {
    case 'apt':
      return [...APT_ENV, 'apt-get', 'install', '-y', '-q', ...APT_KEEP_CONFIG, ...names];
    case 'dnf':
    case 'yum':
      return [pm, 'install', '-y', '-q', ...names];
    case 'apk':
      return ['apk', 'add', '--no-progress', ...names];
  }
}

export function refreshCommand(pm: PackageManager): Argv {
  switch (pm) {
    case 'apt':
      return [...APT_ENV, 'apt-get', 'update', '-q'];
    case 'dnf':
    case 'yum':
      return [pm, 'makecache', '-q'];
    case 'apk':
      return ['apk', 'update', '-q'];
  }
}

/** Lists what an upgrade would do without doing it; `countPendingUpgrades` reads the output. */
export function simulateUpgradeCommand(pm: PackageManager): Argv {
  switch (pm) {
    case 'apt':
      return [...APT_ENV, 'apt-get', '-s', '-q', ...APT_KEEP_CONFIG, 'upgrade'];
    case 'dnf':
    case 'yum':
      // Exit 100 means "updates available"; 0 means none.
      return [pm, '-q', '--cacheonly', 'check-update'];
    case 'apk':
      return ['apk', 'upgrade', '--simulate', '--no-progress'];
  }
}

export function upgradeCommand(pm: PackageManager): Argv {
  switch (pm) {
    case 'apt':
      return [...APT_ENV, 'apt-get', 'upgrade', '-y', '-q', ...APT_KEEP_CONFIG];
    case 'dnf':
    case 'yum':
      return [pm, 'upgrade', '-y', '-q'];
    case 'apk':
      return ['apk', 'upgrade', '--no-progress'];
  }
}

/** Package names an upgrade would change, from `simulateUpgradeCommand`'s output. */
export function pendingUpgrades(pm: PackageManager, stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    if (pm === 'apt') {
      const m = /^Inst (\S+)/.exec(line);
      if (m?.[1]) out.push(m[1]);
    } else if (pm === 'apk') {
      const m = /^\(\d+\/\d+\) (?:Upgrading|Installing|Replacing) (\S+)/.exec(line);
      if (m?.[1]) out.push(m[1]);
    } else {
      // check-update: "name.arch  version  repo"; the "Obsoleting Packages" section repeats names, indented.
      const m = /^([A-Za-z0-9_.+-]+)\.[A-Za-z0-9_]+\s+\S+\s+\S+\s*$/.exec(line);
      if (m?.[1] && !out.includes(m[1])) out.push(m[1]);
    }
  }
  return out;
}

/** Installed version of each package ('' where the manager has no version to tell); undefined when missing. */
export async function installedVersions(
  ctx: TaskContext,
  pm: PackageManager,
  names: readonly string[],
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const name of names) {
    const result = await inspect(ctx, installedQuery(pm, name), { acceptExitCodes: [0, 1] });
    out.set(name, parseInstalled(pm, result.exitCode, result.stdout));
  }
  return out;
}

/** apt on a fresh image may have no package lists yet; then an install fails until they are fetched. */
const APT_NEEDS_LISTS = /Unable to locate package|has no installation candidate|Package .* is not available/;

export async function installPackages(ctx: TaskContext, pm: PackageManager, names: readonly string[]): Promise<void> {
  const install = (): Promise<unknown> => change(ctx, installCommand(pm, names), { timeoutMs: 30 * 60_000 });
  try {
    await install();
  } catch (error) {
    if (pm !== 'apt' || !APT_NEEDS_LISTS.test(stderrTail(error, 20))) throw installFailed(names, error);
    ctx.log('package lists are missing or stale; running apt-get update first');
    await change(ctx, refreshCommand(pm), { timeoutMs: 10 * 60_000 }).catch((e: unknown) => {
      throw failure('STEWARD_RECIPE_PACKAGE_LISTS_FAILED', 'apt-get update could not refresh the package lists', e);
    });
    await install().catch((e: unknown) => {
      throw installFailed(names, e);
    });
  }
}

function installFailed(names: readonly string[], error: unknown): AppError {
  return failure('STEWARD_RECIPE_PACKAGE_FAILED', `Installing ${names.join(', ')} failed`, error, { packages: names });
}

function unavailable(pm: PackageManager, what: string): AppError {
  return new AppError(
    'STEWARD_RECIPE_UNSUPPORTED_HOST',
    `Steward does not know how to install ${what} with ${pm} on this server.`,
    { packageManager: pm },
  );
}

/** The names for this server's manager, or a clear error when the recipe has none for it. */
export async function packagesFor(
  ctx: TaskContext,
  names: PackageNames,
  what: string,
): Promise<{ pm: PackageManager; names: readonly string[] }> {
  const pm = await requirePackageManager(ctx);
  const list = namesFor(pm, names);
  if (!list || list.length === 0) throw unavailable(pm, what);
  return { pm, names: list };
}

/** A step that makes sure packages are installed; `what` names them for people ("nginx"). */
export function packageStep(id: string, what: string, names: PackageNames): Step<TaskContext> {
  return {
    id,
    description: `${what} is installed`,
    async check(ctx) {
      const { pm, names: list } = await packagesFor(ctx, names, what);
      const versions = await installedVersions(ctx, pm, list);
      return [...versions.values()].every((v) => v !== undefined);
    },
    async apply(ctx) {
      const { pm, names: list } = await packagesFor(ctx, names, what);
      const missing = [...(await installedVersions(ctx, pm, list))].filter(([, v]) => v === undefined).map(([n]) => n);
      await installPackages(ctx, pm, missing);
      for (const [name, version] of await installedVersions(ctx, pm, missing)) {
        ctx.log(version ? `installed ${name} ${version}` : `installed ${name}`);
      }
    },
  };
}
