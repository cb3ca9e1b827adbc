/**
 * What a recipe needs to know about the server before it picks commands: its package manager and its init
 * system. Both are asked once per task run (one remote command) and shared by every step of that run.
 */
import { AppError } from '../../../kernel/errors.js';
import type { TaskContext } from '../recipe.js';
import { inspect, sh } from './exec.js';

export type PackageManager = 'apt' | 'dnf' | 'yum' | 'apk';
export type InitSystem = 'systemd' | 'openrc' | 'sysv';

export interface HostFacts {
  /** Undefined when the server has none Steward knows. */
  readonly packageManager: PackageManager | undefined;
  readonly init: InitSystem;
}

/**
 * systemd counts only when it is running (a container can have systemctl installed without it); OpenRC the same
 * by its run folder. Everything else is driven through /etc/init.d scripts or, failing that, daemons directly.
 */
const FACTS_SCRIPT = `
pm=none
if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then pm=apt
elif command -v dnf >/dev/null 2>&1; then pm=dnf
elif command -v yum >/dev/null 2>&1; then pm=yum
elif command -v apk >/dev/null 2>&1; then pm=apk
fi
init=sysv
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then init=systemd
elif [ -d /run/openrc ] && command -v rc-service >/dev/null 2>&1; then init=openrc
fi
echo "$pm $init"
`;

const known = new WeakMap<TaskContext, Promise<HostFacts>>();

export function hostFacts(ctx: TaskContext): Promise<HostFacts> {
  let facts = known.get(ctx);
  if (!facts) {
    facts = inspect(ctx, sh(FACTS_SCRIPT)).then((result) => parseFacts(result.stdout));
    // A failed probe (a dropped connection) must not stick for the rest of the run.
    facts.catch(() => known.delete(ctx));
    known.set(ctx, facts);
  }
  return facts;
}

export function parseFacts(stdout: string): HostFacts {
  const [pm, init] = stdout.trim().split(/\s+/);
  const packageManager = pm === 'apt' || pm === 'dnf' || pm === 'yum' || pm === 'apk' ? pm : undefined;
  const initSystem = init === 'systemd' || init === 'openrc' ? init : 'sysv';
  return { packageManager, init: initSystem };
}

/** The package manager, or a clear error when the server has none Steward can drive. */
export async function requirePackageManager(ctx: TaskContext): Promise<PackageManager> {
  const { packageManager } = await hostFacts(ctx);
  if (packageManager) return packageManager;
  throw new AppError(
    'STEWARD_RECIPE_UNSUPPORTED_HOST',
    'This server has no package manager Steward can use (apt-get, dnf, yum or apk).',
  );
}
