import { AppError } from '../../kernel/errors.js';
import { mustRunInside, type Way } from './inside.js';
import type { UserSpec } from './types.js';

/** The spec's users sorted into what is seeded for root before mount and what needs useradd inside. */
export interface Accounts {
  readonly rootKeys: readonly string[];
  readonly rootPassword: string | undefined;
  readonly others: readonly UserSpec[];
  /** Some account logs in with a password, so sshd must allow it. */
  readonly passwordLogin: boolean;
}

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

function invalid(message: string): AppError {
  return new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', message);
}

function checkUser(user: UserSpec): void {
  if (!USER_NAME.test(user.name))
    throw invalid(`User name ${JSON.stringify(user.name)} is not a valid Debian user name.`);
  if (user.uid !== undefined && (!Number.isInteger(user.uid) || user.uid < 1 || user.uid > 65_533))
    throw invalid(`uid of ${user.name} must be 1..65533.`);
  if (user.shell !== undefined && !/^\/[\w/.-]+$/.test(user.shell))
    throw invalid(`shell of ${user.name} must be an absolute path.`);
  // chpasswd reads one `name:password` per line.
  if (user.password !== undefined && (user.password === '' || /[\r\n\0]/.test(user.password)))
    throw invalid(`password of ${user.name} must be non-empty and on one line.`);
  for (const key of user.authorizedKeys ?? []) {
    if (/[\r\n\0]/.test(key.trim())) throw invalid(`An authorized key of ${user.name} spans several lines.`);
  }
}

export function planAccounts(users: readonly UserSpec[] = [], rootKeys: readonly string[] = []): Accounts {
  const seen = new Set<string>();
  for (const user of users) {
    checkUser(user);
    if (seen.has(user.name)) throw invalid(`User ${user.name} is listed twice.`);
    seen.add(user.name);
  }
  const root = users.find((u) => u.name === 'root');
  if (root?.uid !== undefined && root.uid !== 0) throw invalid('root has uid 0.');
  return {
    rootKeys: [...rootKeys, ...(root?.authorizedKeys ?? [])].map((k) => k.trim()),
    rootPassword: root?.password,
    others: users.filter((u) => u.name !== 'root'),
    passwordLogin: users.some((u) => u.password !== undefined),
  };
}

/**
 * `--password '*'` leaves the account without a password but not locked: with UsePAM off, sshd refuses even
 * key logins to a locked (`!`) account, which is what useradd makes by default.
 */
const ADD_USER_SCRIPT = [
  'set -e',
  'name=$1 uid=$2 shell=$3 sudo=$4',
  'if [ -n "$uid" ]; then useradd --create-home --shell "$shell" --password "*" --uid "$uid" "$name"',
  'else useradd --create-home --shell "$shell" --password "*" "$name"; fi',
  'case "$sudo" in',
  '  nopasswd) printf "%s ALL=(ALL:ALL) NOPASSWD:ALL\\n" "$name" > "/etc/sudoers.d/steward-$name"; chmod 0440 "/etc/sudoers.d/steward-$name" ;;',
  '  password) usermod -aG sudo "$name" ;;',
  'esac',
  'home=$(getent passwd "$name" | cut -d: -f6)',
  'group=$(id -gn "$name")',
  'install -d -m 700 -o "$name" -g "$group" "$home/.ssh"',
  'umask 077',
  'cat > "$home/.ssh/authorized_keys"',
  'chown "$name:$group" "$home/.ssh/authorized_keys"',
].join('\n');

/** Creates the non-root accounts and sets every password; passwords travel on stdin, never in argv. */
export async function applyAccounts(way: Way, accounts: Accounts): Promise<void> {
  for (const user of accounts.others) {
    const sudo = user.sudo === true ? 'nopasswd' : user.sudo === 'password' ? 'password' : '';
    const keys = (user.authorizedKeys ?? []).map((k) => `${k.trim()}\n`).join('');
    await mustRunInside(
      way,
      [
        '/bin/sh',
        '-c',
        ADD_USER_SCRIPT,
        'steward-useradd',
        user.name,
        user.uid === undefined ? '' : String(user.uid),
        user.shell ?? '/bin/bash',
        sudo,
      ],
      keys,
    );
  }
  const passwords = [
    ...(accounts.rootPassword === undefined ? [] : [`root:${accounts.rootPassword}`]),
    ...accounts.others.filter((u) => u.password !== undefined).map((u) => `${u.name}:${u.password}`),
  ];
  if (passwords.length > 0) await mustRunInside(way, ['/usr/sbin/chpasswd'], `${passwords.join('\n')}\n`);
}
