/**
 * Initial setup, part five: brute-force protection. fail2ban watches sshd's log and bans an address (through
 * ufw, so bans show in `ufw status`) after repeated failed logins. Where the log lives depends on the server:
 * the systemd journal, or a syslog file.
 */
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { change, inspect, sh, succeeds } from './exec.js';
import { readFile, writeFile } from './files.js';
import { packageStep } from './packages.js';
import { findService, isRunning, serviceEnabledStep, startService } from './services.js';
import { parseSshdT, sshdPorts } from './sshd-config.js';

export const JAIL_FILE = '/etc/fail2ban/jail.d/steward-sshd.local';

/** Prints "systemd" when journald keeps sshd's messages; else "file PATH FOUND" for the syslog file to watch. */
const LOG_SOURCE_SCRIPT = `
if [ -d /run/systemd/system ] && [ -d /run/systemd/journal ]; then echo systemd; exit 0; fi
for f in /var/log/auth.log /var/log/secure /var/log/messages; do
  [ -f "$f" ] && { echo "file $f 1"; exit 0; }
done
echo "file /var/log/auth.log 0"
`;

/** An empty log file fail2ban can open (it refuses to start a jail whose log is missing); adm may read it. */
const CREATE_LOG_SCRIPT = 'umask 027; touch -- "$1"; chgrp adm -- "$1" 2>/dev/null || true';

type LogSource =
  { readonly kind: 'systemd' } | { readonly kind: 'file'; readonly path: string; readonly exists: boolean };

export function parseLogSource(stdout: string): LogSource {
  const [kind, path, found] = stdout.trim().split(/\s+/);
  if (kind === 'systemd') return { kind };
  return { kind: 'file', path: path ?? '/var/log/auth.log', exists: found === '1' };
}

export interface JailSettings {
  readonly ports: readonly number[];
  readonly log: LogSource;
  readonly viaUfw: boolean;
}

/** The jail file: five failures within ten minutes earn an hour's ban. */
export function jailContent(settings: JailSettings): string {
  return [
    '# Managed by Steward: ban an address for an hour after 5 failed SSH logins within 10 minutes.',
    '[sshd]',
    'enabled = true',
    `port = ${settings.ports.join(',')}`,
    'maxretry = 5',
    'findtime = 10m',
    'bantime = 1h',
    ...(settings.log.kind === 'systemd' ? ['backend = systemd'] : ['backend = auto', `logpath = ${settings.log.path}`]),
    ...(settings.viaUfw ? ['banaction = ufw'] : []),
    '',
  ].join('\n');
}

async function jailSettings(ctx: TaskContext): Promise<JailSettings> {
  const [source, sshd, ufw] = await Promise.all([
    inspect(ctx, sh(LOG_SOURCE_SCRIPT)),
    inspect(ctx, ['sshd', '-T']),
    succeeds(ctx, sh('command -v ufw >/dev/null 2>&1')),
  ]);
  return { log: parseLogSource(source.stdout), ports: sshdPorts(parseSshdT(sshd.stdout)), viaUfw: ufw };
}

export const fail2banPackageStep = packageStep('brute-force-installed', 'fail2ban', {
  apt: ['fail2ban'],
  dnf: ['fail2ban'],
  apk: ['fail2ban'],
});

export const fail2banJailStep: Step<TaskContext> = {
  id: 'brute-force-jail',
  description: 'fail2ban has an sshd jail',
  check: async (ctx) => (await readFile(ctx, JAIL_FILE)) === jailContent(await jailSettings(ctx)),
  async apply(ctx) {
    const settings = await jailSettings(ctx);
    if (settings.log.kind === 'file' && !settings.log.exists) {
      await inspect(ctx, sh(CREATE_LOG_SCRIPT, settings.log.path));
      ctx.log(
        `no system log found; fail2ban watches ${settings.log.path}, which sshd's messages reach through a syslog daemon`,
      );
    }
    const old = await readFile(ctx, JAIL_FILE);
    await writeFile(ctx, { path: JAIL_FILE, content: jailContent(settings), mode: 0o644, what: 'fail2ban jail' });
    const tested = await inspect(ctx, ['fail2ban-client', '--test'], { acceptExitCodes: [0, 1, 255] });
    if (tested.exitCode !== 0) {
      await (old === undefined
        ? inspect(ctx, ['rm', '-f', '--', JAIL_FILE])
        : writeFile(ctx, { path: JAIL_FILE, content: old, mode: 0o644 }));
      const tail = `${tested.stdout}\n${tested.stderr}`.trim().split('\n').slice(-6).join('\n');
      throw new AppError(
        'STEWARD_RECIPE_CONFIG_REJECTED',
        `fail2ban rejected the sshd jail; the old configuration was kept:\n${tail}`,
      );
    }
    const source = settings.log.kind === 'systemd' ? 'the systemd journal' : settings.log.path;
    ctx.log(
      `fail2ban: sshd jail on port ${settings.ports.join(',')}, reading ${source}${settings.viaUfw ? ', banning through ufw' : ''}`,
    );
    const svc = await findService(ctx, 'fail2ban');
    if (await isRunning(ctx, svc)) await change(ctx, ['fail2ban-client', 'reload']);
  },
};

export const fail2banAtBootStep = serviceEnabledStep('brute-force-at-boot', 'fail2ban');

async function jailActive(ctx: TaskContext): Promise<boolean> {
  const status = await inspect(ctx, ['fail2ban-client', 'status', 'sshd'], { acceptExitCodes: [0, 1, 255] });
  return status.exitCode === 0;
}

export const fail2banActiveStep: Step<TaskContext> = {
  id: 'brute-force-active',
  description: 'fail2ban is running and its sshd jail is active',
  check: jailActive,
  async apply(ctx) {
    const svc = await findService(ctx, 'fail2ban');
    if (await isRunning(ctx, svc)) await change(ctx, ['fail2ban-client', 'reload']);
    else await startService(ctx, svc);
    // The server answers before it has read every jail.
    const until = Date.now() + 20_000;
    while (!(await jailActive(ctx)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 300));
  },
};
