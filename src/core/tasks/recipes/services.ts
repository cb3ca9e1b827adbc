/**
 * Services through whatever manages them on the server: systemd when it is running, OpenRC, a SysV init script
 * (`service x start` or `/etc/init.d/x start`), or, for the daemons in `daemons.ts`, the daemon itself. Many
 * servers Steward looks after are containers or minimal images without systemd, so every path matters.
 */
import { AppError } from '../../../kernel/errors.js';
import type { Argv, Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { daemonOf } from './daemons.js';
import { change, failure, inspect, sh, succeeds } from './exec.js';

export type ServiceKind = 'systemd' | 'openrc' | 'sysv' | 'direct';

export interface Service {
  readonly name: string;
  readonly kind: ServiceKind;
  /** SysV only: whether the `service` wrapper exists (it runs the script with a clean environment). */
  readonly viaServiceCommand?: boolean;
}

/** Prints the manager that knows service "$1", and for SysV whether `service(8)` exists. */
const FIND_SCRIPT = `
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  systemctl cat -- "$1" >/dev/null 2>&1 && { echo systemd; exit 0; }
elif [ -d /run/openrc ] && command -v rc-service >/dev/null 2>&1; then
  [ -x "/etc/init.d/$1" ] && { echo openrc; exit 0; }
elif [ -x "/etc/init.d/$1" ]; then
  if command -v service >/dev/null 2>&1; then echo sysv service; else echo sysv; fi
  exit 0
fi
echo none
`;

/** Exit 0 when a process with one of the names "$@" runs; reads /proc, so it needs no procps. */
const PROCESS_SCRIPT = `
for f in /proc/[0-9]*/comm; do
  read -r c < "$f" 2>/dev/null || continue
  for p in "$@"; do [ "$c" = "$p" ] && exit 0; done
done
exit 1
`;

/** Starts "$@" outside the SSH session, so it outlives the command and holds none of its pipes. */
const DETACH_SCRIPT = 'setsid "$@" </dev/null >/dev/null 2>&1 &';

const SYSV_ENABLED_SCRIPT = 'for f in /etc/rc[2345].d/S[0-9][0-9]"$1"; do [ -e "$f" ] && exit 0; done; exit 1';
const SYSV_ENABLE_SCRIPT = `
if command -v update-rc.d >/dev/null 2>&1; then update-rc.d "$1" defaults && update-rc.d "$1" enable
elif command -v chkconfig >/dev/null 2>&1; then chkconfig --add "$1" && chkconfig "$1" on
else echo "neither update-rc.d nor chkconfig is installed" >&2; exit 1
fi
`;
const OPENRC_ENABLED_SCRIPT = 'rc-update show default | awk -v n="$1" \'$1 == n { found = 1 } END { exit !found }\'';

/** How the customer reads it in the log: "restarted nginx with its init script". */
export function describeKind(kind: ServiceKind): string {
  return {
    systemd: 'systemctl',
    openrc: 'rc-service',
    sysv: 'its init script',
    direct: 'the daemon itself (no service manager knows it)',
  }[kind];
}

export function parseServiceKind(name: string, stdout: string): Service | undefined {
  const [kind, via] = stdout.trim().split(/\s+/);
  if (kind === 'systemd' || kind === 'openrc') return { name, kind };
  if (kind === 'sysv') return { name, kind, viaServiceCommand: via === 'service' };
  return daemonOf(name) ? { name, kind: 'direct' } : undefined;
}

/** The first of `names` some service manager on the server knows ("mariadb", else "mysql"…). */
export async function findService(ctx: TaskContext, names: string | readonly string[]): Promise<Service> {
  const list = typeof names === 'string' ? [names] : names;
  for (const name of list) {
    const found = parseServiceKind(name, (await inspect(ctx, sh(FIND_SCRIPT, name))).stdout);
    if (found) return found;
  }
  throw new AppError(
    'STEWARD_RECIPE_SERVICE_UNKNOWN',
    `No service manager on this server knows a service called "${list.join('" or "')}" (systemd, OpenRC or /etc/init.d).`,
    { service: list[0] },
  );
}

export type ServiceAction = 'start' | 'stop' | 'restart' | 'reload';

/** The command for an action through the service's manager; undefined for a daemon run directly. */
export function controlCommand(svc: Service, action: ServiceAction): Argv | undefined {
  switch (svc.kind) {
    case 'systemd':
      return ['systemctl', action, '--', svc.name];
    case 'openrc':
      return ['rc-service', svc.name, action];
    case 'sysv':
      return svc.viaServiceCommand ? ['service', svc.name, action] : [`/etc/init.d/${svc.name}`, action];
    case 'direct':
      return undefined;
  }
}

/** Exit 0 when the service runs. */
export function statusCommand(svc: Service): Argv {
  switch (svc.kind) {
    case 'systemd':
      return ['systemctl', 'is-active', '--quiet', '--', svc.name];
    case 'openrc':
      return ['rc-service', svc.name, 'status'];
    case 'sysv':
      return svc.viaServiceCommand ? ['service', svc.name, 'status'] : [`/etc/init.d/${svc.name}`, 'status'];
    case 'direct':
      return sh(PROCESS_SCRIPT, ...(daemonOf(svc.name)?.processes ?? [svc.name]));
  }
}

export async function isRunning(ctx: TaskContext, svc: Service): Promise<boolean> {
  const status = await inspect(ctx, statusCommand(svc), { acceptExitCodes: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 150, 151] });
  if (status.exitCode === 0) return true;
  // Some init scripts have no useful `status`; the daemon's own process is the last word where Steward knows it.
  const daemon = daemonOf(svc.name);
  return svc.kind === 'sysv' && daemon !== undefined && (await succeeds(ctx, sh(PROCESS_SCRIPT, ...daemon.processes)));
}

/** Waits for the service to reach `running`; services take a moment to open their sockets or exit. */
export async function waitFor(ctx: TaskContext, svc: Service, running: boolean, timeoutMs = 20_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if ((await isRunning(ctx, svc)) === running) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function control(ctx: TaskContext, svc: Service, action: ServiceAction): Promise<void> {
  const command = controlCommand(svc, action);
  try {
    if (command) {
      await change(ctx, command, { timeoutMs: 5 * 60_000 });
      return;
    }
    const daemon = daemonOf(svc.name);
    if (!daemon)
      throw new AppError(
        'STEWARD_RECIPE_SERVICE_UNKNOWN',
        `Steward cannot run "${svc.name}" without a service manager.`,
        { service: svc.name },
      );
    if (action === 'stop' || action === 'restart') {
      if (await isRunning(ctx, svc)) await change(ctx, daemon.stop);
      if (!(await waitFor(ctx, svc, false)))
        throw new AppError('STEWARD_RECIPE_SERVICE_FAILED', `${svc.name} did not stop.`, { service: svc.name });
    }
    if (action === 'start' || action === 'restart' || action === 'reload')
      await change(ctx, sh(DETACH_SCRIPT, ...daemon.start));
  } catch (error) {
    if (error instanceof AppError && error.code !== 'STEWARD_SSH_COMMAND_FAILED') throw error;
    throw failure(
      'STEWARD_RECIPE_SERVICE_FAILED',
      `Could not ${action} ${svc.name} with ${describeKind(svc.kind)}`,
      error,
      { service: svc.name },
    );
  }
}

/** Starts the service and waits until it runs. */
export async function startService(ctx: TaskContext, svc: Service): Promise<void> {
  await control(ctx, svc, 'start');
  if (!(await waitFor(ctx, svc, true))) throw notRunning(svc, 'start');
  ctx.log(`started ${svc.name} with ${describeKind(svc.kind)}`);
}

/** Restarts the service (starting it if it was stopped) and waits until it runs again. */
export async function restartService(ctx: TaskContext, svc: Service): Promise<void> {
  await control(ctx, svc, 'restart');
  if (!(await waitFor(ctx, svc, true))) throw notRunning(svc, 'restart');
  ctx.log(`restarted ${svc.name} with ${describeKind(svc.kind)}`);
}

/** Makes a running service reread its configuration, or starts it. */
export async function reloadService(ctx: TaskContext, svc: Service): Promise<void> {
  if (!(await isRunning(ctx, svc))) return startService(ctx, svc);
  await control(ctx, svc, svc.kind === 'direct' ? 'restart' : 'reload');
  if (!(await waitFor(ctx, svc, true))) throw notRunning(svc, 'reload');
}

function notRunning(svc: Service, action: ServiceAction): AppError {
  return new AppError(
    'STEWARD_RECIPE_SERVICE_FAILED',
    `${svc.name} is not running after "${action}" with ${describeKind(svc.kind)}.`,
    { service: svc.name },
  );
}

/** Exit 0 when the service starts at boot; undefined when nothing could start it at boot. */
export function enabledCommand(svc: Service): Argv | undefined {
  switch (svc.kind) {
    case 'systemd':
      return ['systemctl', 'is-enabled', '--quiet', '--', svc.name];
    case 'openrc':
      return sh(OPENRC_ENABLED_SCRIPT, svc.name);
    case 'sysv':
      return sh(SYSV_ENABLED_SCRIPT, svc.name);
    case 'direct':
      return undefined;
  }
}

export function enableCommand(svc: Service): Argv | undefined {
  switch (svc.kind) {
    case 'systemd':
      return ['systemctl', 'enable', '--quiet', '--', svc.name];
    case 'openrc':
      return ['rc-update', 'add', svc.name, 'default'];
    case 'sysv':
      return sh(SYSV_ENABLE_SCRIPT, svc.name);
    case 'direct':
      return undefined;
  }
}

/** A step: the service runs now. `names` are alternatives, the first one the server knows is used. */
export function serviceRunningStep(id: string, names: string | readonly string[]): Step<TaskContext> {
  return {
    id,
    description: `${label(names)} is running`,
    check: async (ctx) => isRunning(ctx, await findService(ctx, names)),
    apply: async (ctx) => startService(ctx, await findService(ctx, names)),
  };
}

/**
 * A step: the service starts at boot. Where no service manager knows it (its daemon is run directly), nothing
 * can start it at boot; the step says so in the log rather than fail the recipe over it.
 */
export function serviceEnabledStep(id: string, names: string | readonly string[]): Step<TaskContext> {
  return {
    id,
    description: `${label(names)} starts at boot`,
    async check(ctx) {
      const svc = await findService(ctx, names);
      const command = enabledCommand(svc);
      if (command) return succeeds(ctx, command);
      ctx.log(`${svc.name}: no service manager here, so nothing starts it at boot`);
      return true;
    },
    async apply(ctx) {
      const svc = await findService(ctx, names);
      const command = enableCommand(svc);
      if (!command) return;
      await change(ctx, command).catch((error: unknown) => {
        throw failure('STEWARD_RECIPE_SERVICE_FAILED', `Could not make ${svc.name} start at boot`, error, {
          service: svc.name,
        });
      });
      ctx.log(`${svc.name} now starts at boot`);
    },
  };
}

const label = (names: string | readonly string[]): string => (typeof names === 'string' ? names : (names[0] ?? ''));
