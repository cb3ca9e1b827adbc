/**
 * The principals file a server's sshd reads (AuthorizedPrincipalsFile /etc/ssh/steward_principals/%u). A
 * certificate's principal names its grant, so the server must list it before the certificate works.
 */
import type { Argv } from '../../../remote/index.js';

export const PRINCIPALS_DIR = '/etc/ssh/steward_principals';

/**
 * Adds one principal to the login user's file. Values arrive as positional arguments ($1 user, $2 principal),
 * never inside the script text.
 */
const INSTALL = `set -e
d=${PRINCIPALS_DIR}
mkdir -p "$d" && chmod 755 "$d"
f="$d/$1"
[ -e "$f" ] || { : > "$f"; chmod 644 "$f"; }
grep -qxF -- "$2" "$f" || printf '%s\\n' "$2" >> "$f"`;

export function installPrincipalArgv(loginUser: string, principal: string): Argv {
  const argv: Argv = ['sh', '-c', INSTALL, 'steward-principals', loginUser, principal];
  return loginUser === 'root' ? argv : ['sudo', '-n', '--', ...argv];
}
