/**
 * Initial setup, part one: the administrator account people (and Steward) use instead of root. A home folder,
 * a login shell, passwordless sudo from a validated sudoers file, and the organisation's public key.
 */
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { failure, inspect, sh, succeeds } from './exec.js';
import { fileMeta, readFile, writeFile } from './files.js';
import { keyFingerprint } from './params.js';

/**
 * Exit 0 when "$1" exists, has its home folder, a login shell and an unlocked account; otherwise exit 1 and say
 * what is missing. The password hash stays in a shell variable and is never printed.
 */
const USER_CHECK_SCRIPT = `
entry=$(getent passwd "$1") || { echo "user $1 does not exist"; exit 1; }
home=$(printf '%s' "$entry" | cut -d: -f6)
shell=$(printf '%s' "$entry" | cut -d: -f7)
ok=0
[ -d "$home" ] || { echo "home folder $home is missing"; ok=1; }
case "$shell" in ''|*/nologin|*/false) echo "login shell is '$shell'"; ok=1 ;; esac
[ -z "$shell" ] || [ -x "$shell" ] || { echo "login shell $shell does not exist"; ok=1; }
hash=$(getent shadow "$1" | cut -d: -f2)
case "$hash" in '!'*) echo "account is locked"; ok=1 ;; esac
exit $ok
`;

/**
 * Creates "$1" or repairs it. A locked password ('!') makes sshd refuse even key logins where PAM is off, so the
 * account gets '*': no password can log in, a key can.
 */
const USER_APPLY_SCRIPT = `
set -e
user=$1
shell=/bin/bash
[ -x "$shell" ] || shell=/bin/sh
if ! getent passwd "$user" >/dev/null; then
  if command -v useradd >/dev/null 2>&1; then useradd --create-home --shell "$shell" -- "$user"
  else adduser -D -s "$shell" "$user"; fi
  echo "created user $user"
fi
entry=$(getent passwd "$user")
home=$(printf '%s' "$entry" | cut -d: -f6)
current=$(printf '%s' "$entry" | cut -d: -f7)
if [ ! -d "$home" ]; then
  mkdir -p -- "$home"; chmod 750 -- "$home"; chown "$user:$(id -gn "$user")" -- "$home"
  echo "made home folder $home"
fi
case "$current" in ''|*/nologin|*/false) usermod -s "$shell" "$user"; echo "login shell set to $shell" ;; esac
if [ -n "$current" ] && [ ! -x "$current" ]; then usermod -s "$shell" "$user"; echo "login shell set to $shell"; fi
hash=$(getent shadow "$user" | cut -d: -f2)
case "$hash" in '!'*) usermod -p '*' "$user"; echo "unlocked $user for key logins (no password can log in)" ;; esac
`;

/** Exit 0 when "$1"'s authorized_keys holds key type "$2" with data "$3", with modes sshd's StrictModes accepts. */
const KEY_CHECK_SCRIPT = `
home=$(getent passwd "$1" | cut -d: -f6) || exit 1
dir="$home/.ssh" f="$home/.ssh/authorized_keys"
[ -d "$dir" ] && [ ! -L "$dir" ] && [ -f "$f" ] && [ ! -L "$f" ] || exit 1
[ "$(stat -c %U -- "$dir")" = "$1" ] && [ "$(stat -c %U -- "$f")" = "$1" ] || exit 1
case "$(stat -c %a -- "$dir") $(stat -c %a -- "$f")" in 700\\ 600|700\\ 400) ;; *) exit 1 ;; esac
awk -v t="$2" -v b="$3" '{ for (i = 1; i < NF; i++) if ($i == t && $(i + 1) == b) found = 1 } END { exit !found }' "$f"
`;

/** Adds the key line on stdin for "$1" unless type "$2" / data "$3" is there; never follows a symlink. */
const KEY_APPLY_SCRIPT = `
set -e
user=$1
home=$(getent passwd "$user" | cut -d: -f6)
group=$(id -gn "$user")
dir="$home/.ssh" f="$home/.ssh/authorized_keys"
for p in "$dir" "$f"; do [ -L "$p" ] && { echo "$p is a symbolic link; not touching it" >&2; exit 4; }; done
mkdir -p -- "$dir"
chown "$user:$group" -- "$dir"
chmod 700 -- "$dir"
touch -- "$f"
if ! awk -v t="$2" -v b="$3" '{ for (i = 1; i < NF; i++) if ($i == t && $(i + 1) == b) found = 1 } END { exit !found }' "$f"; then
  if [ -s "$f" ] && [ -n "$(tail -c 1 -- "$f")" ]; then echo >> "$f"; fi
  cat >> "$f"
fi
chown "$user:$group" -- "$f"
chmod 600 -- "$f"
`;

export function userStep(user: string): Step<TaskContext> {
  return {
    id: 'admin-user',
    description: `user ${user} exists with a home folder and a login shell`,
    check: (ctx) => succeeds(ctx, sh(USER_CHECK_SCRIPT, user)),
    async apply(ctx) {
      // Quiet: the script's own lines are logged below, once.
      const result = await inspect(ctx, sh(USER_APPLY_SCRIPT, user)).catch((error: unknown) => {
        throw failure('STEWARD_RECIPE_COMMAND_FAILED', `Could not create or repair user ${user}`, error, { user });
      });
      for (const line of result.stdout.trim().split('\n').filter(Boolean)) ctx.log(line);
    },
  };
}

export const sudoersPath = (user: string): string => `/etc/sudoers.d/90-steward-${user}`;

export function sudoersContent(user: string): string {
  return `# Managed by Steward: ${user} may run any command as root without a password.\n${user} ALL=(ALL:ALL) NOPASSWD: ALL\n`;
}

async function sudoAllowsWithoutPassword(ctx: TaskContext, user: string): Promise<boolean> {
  const listed = await inspect(ctx, ['sudo', '-n', '-l', '-U', user], { acceptExitCodes: [0, 1] });
  return listed.exitCode === 0 && /NOPASSWD:\s*ALL\s*$/m.test(listed.stdout);
}

export function sudoStep(user: string): Step<TaskContext> {
  const path = sudoersPath(user);
  return {
    id: 'admin-sudo',
    description: `${user} may use sudo without a password (${path})`,
    async check(ctx) {
      const [content, meta] = await Promise.all([readFile(ctx, path), fileMeta(ctx, path)]);
      if (content !== sudoersContent(user) || meta?.mode !== '440' || meta.owner !== 'root:root') return false;
      return sudoAllowsWithoutPassword(ctx, user);
    },
    async apply(ctx) {
      // visudo checks the new file on its own before it can take effect; a broken sudoers locks out every sudo user.
      await writeFile(ctx, {
        path,
        content: sudoersContent(user),
        mode: 0o440,
        validate: ['visudo', '-c', '-q', '-f'],
        what: 'sudoers file',
      });
      if (!(await sudoAllowsWithoutPassword(ctx, user))) {
        throw new AppError(
          'STEWARD_RECIPE_CONFIG_REJECTED',
          `sudo does not read ${path}: /etc/sudoers has no "@includedir /etc/sudoers.d" line, or a later rule overrides it.`,
          { path },
        );
      }
      ctx.log(`${user} may use sudo without a password (${path}, checked with visudo)`);
    },
  };
}

export function authorizedKeyStep(user: string, keyLine: string): Step<TaskContext> {
  const [type = '', data = ''] = keyLine.split(' ');
  return {
    id: 'admin-authorized-key',
    description: `${user} accepts the organisation's SSH key`,
    check: (ctx) => succeeds(ctx, sh(KEY_CHECK_SCRIPT, user, type, data)),
    async apply(ctx) {
      await inspect(ctx, sh(KEY_APPLY_SCRIPT, user, type, data), { stdin: `${keyLine}\n` }).catch((error: unknown) => {
        throw failure('STEWARD_RECIPE_FILE_FAILED', `Could not add the key to ${user}'s authorized_keys`, error, {
          user,
        });
      });
      ctx.log(`${user} accepts the organisation's key (${type} ${keyFingerprint(keyLine)})`);
    },
  };
}
