/**
 * Initial setup, part two: sshd hardening that is in effect, not merely written down. The check reads what sshd
 * would use (`sshd -T`) and asks the running daemon which login methods it offers; the apply validates the new
 * file with `sshd -t` before sshd can read it and reloads without ending open sessions (a reload only re-reads
 * the configuration; sessions are separate processes).
 */
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { asLoginUser, change, failure, inspect, sh } from './exec.js';
import { fileMeta, readFile, writeFile } from './files.js';
import {
  HARDENED_SSHD,
  hardeningGaps,
  offeredMethods,
  parseSshdT,
  sessionServerEnd,
  withHardeningBlock,
} from './sshd-config.js';

const SSHD_CONFIG = '/etc/ssh/sshd_config';

/**
 * Asks the sshd at "$3" port "$2" which methods it offers ("none" authentication always fails and lists them).
 * Exit 200 when no ssh client is installed. The known-hosts files are /dev/null: only the method list matters.
 */
const PROBE_SCRIPT = `
command -v ssh >/dev/null 2>&1 || exit 200
exec ssh -o BatchMode=yes -o PreferredAuthentications=none -o PubkeyAuthentication=no \\
  -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \\
  -o ConnectTimeout=5 -o LogLevel=ERROR -l "$1" -p "$2" -- "$3" true
`;

/** SIGHUP to the pid in sshd's PidFile: what every service manager's reload does in the end. */
const SIGHUP_SCRIPT = `
pidfile=$(sshd -T 2>/dev/null | awk '$1 == "pidfile" { print $2 }')
[ -n "$pidfile" ] && [ -s "$pidfile" ] || { echo "sshd has no pid file to signal" >&2; exit 1; }
read -r pid < "$pidfile"
kill -HUP "$pid" && echo "SIGHUP to sshd (pid $pid)"
`;

/** The service manager's reload when there is one; otherwise falls through to SIGHUP. */
const RELOAD_SCRIPT = `
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
  for s in ssh sshd; do
    if systemctl is-active --quiet "$s"; then systemctl reload "$s" && { echo "systemctl reload $s"; exit 0; }; fi
  done
fi
if [ -d /run/openrc ] && command -v rc-service >/dev/null 2>&1 && [ -x /etc/init.d/sshd ]; then
  rc-service sshd reload && { echo "rc-service sshd reload"; exit 0; }
fi
for s in ssh sshd; do
  if [ -x "/etc/init.d/$s" ]; then
    if command -v service >/dev/null 2>&1; then service "$s" reload >&2 && { echo "service $s reload"; exit 0; }
    else "/etc/init.d/$s" reload >&2 && { echo "/etc/init.d/$s reload"; exit 0; }; fi
  fi
done
${SIGHUP_SCRIPT}`;

async function effectiveSettings(ctx: TaskContext): Promise<Map<string, string[]>> {
  const result = await inspect(ctx, ['sshd', '-T']).catch((error: unknown) => {
    throw failure('STEWARD_RECIPE_COMMAND_FAILED', 'sshd -T could not read the current sshd configuration', error);
  });
  return parseSshdT(result.stdout);
}

/**
 * Whether the running sshd still offers passwords or keyboard-interactive logins: true when it does not, false
 * when it does, undefined when it cannot be asked (no ssh client, no $SSH_CONNECTION).
 */
export async function daemonRefusesPasswords(ctx: TaskContext): Promise<boolean | undefined> {
  const env = await asLoginUser(ctx, sh('printf "%s" "$SSH_CONNECTION"'));
  const end = sessionServerEnd(env.stdout);
  if (!end) return undefined;
  const probe = await asLoginUser(ctx, sh(PROBE_SCRIPT, ctx.server.username, String(end.port), end.address), {
    acceptExitCodes: Array.from({ length: 256 }, (_, i) => i),
    timeoutMs: 20_000,
  });
  const methods = probe.exitCode === 200 ? undefined : offeredMethods(probe.stderr);
  if (!methods) return undefined;
  return !methods.includes('password') && !methods.includes('keyboard-interactive');
}

async function waitForDaemon(ctx: TaskContext, ms: number): Promise<boolean | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const refuses = await daemonRefusesPasswords(ctx);
    if (refuses !== false || Date.now() >= until) return refuses;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function writeHardenedConfig(ctx: TaskContext): Promise<void> {
  const old = await readFile(ctx, SSHD_CONFIG);
  if (old === undefined)
    throw new AppError('STEWARD_RECIPE_UNSUPPORTED_HOST', `${SSHD_CONFIG} does not exist on this server.`);
  const mode = Number.parseInt((await fileMeta(ctx, SSHD_CONFIG))?.mode ?? '644', 8);
  await writeFile(ctx, {
    path: SSHD_CONFIG,
    content: withHardeningBlock(old),
    mode,
    validate: ['sshd', '-t', '-f'],
    what: 'sshd_config',
  });
  // The temporary copy passed on its own; check once more in place (Include paths resolve the same, but a
  // drop-in could still clash) and put the old file back if sshd objects.
  const inPlace = await inspect(ctx, ['sshd', '-t'], { acceptExitCodes: [0, 255, 1] });
  if (inPlace.exitCode !== 0) {
    await writeFile(ctx, { path: SSHD_CONFIG, content: old, mode, what: 'sshd_config' });
    throw new AppError(
      'STEWARD_RECIPE_CONFIG_REJECTED',
      `sshd -t rejected the hardened configuration; the old one was put back:\n${inPlace.stderr.trim()}`,
    );
  }
}

async function reloadSshd(ctx: TaskContext): Promise<void> {
  const reloaded = await change(ctx, sh(RELOAD_SCRIPT)).catch((error: unknown) => {
    throw failure('STEWARD_RECIPE_SERVICE_FAILED', 'Could not reload sshd', error);
  });
  ctx.log(`sshd reloaded (${reloaded.stdout.trim().split('\n').pop() ?? 'reload'}); open sessions stay connected`);
  if ((await waitForDaemon(ctx, 5_000)) !== false) return;
  // A reload that found no daemon to signal (an init script whose pid file names another process) changes
  // nothing; the pid file sshd itself names is the last resort.
  const hup = await change(ctx, sh(SIGHUP_SCRIPT)).catch((error: unknown) => {
    throw failure(
      'STEWARD_RECIPE_SERVICE_FAILED',
      'sshd still offers password logins after its reload, and signalling it failed',
      error,
    );
  });
  ctx.log(`sshd still offered passwords after the reload; sent ${hup.stdout.trim()}`);
  await waitForDaemon(ctx, 5_000);
}

export const sshdHardeningStep: Step<TaskContext> = {
  id: 'sshd-hardened',
  description: `sshd: ${HARDENED_SSHD.map((s) => `${s.keyword} ${s.value}`).join(', ')}`,
  async check(ctx) {
    if (hardeningGaps(await effectiveSettings(ctx)).length > 0) return false;
    return (await daemonRefusesPasswords(ctx)) !== false;
  },
  async apply(ctx) {
    const gaps = hardeningGaps(await effectiveSettings(ctx));
    if (gaps.length > 0) {
      await writeHardenedConfig(ctx);
      for (const gap of gaps) ctx.log(`sshd: ${gap.keyword} ${gap.want} (was ${gap.was})`);
    }
    await reloadSshd(ctx);
  },
};
