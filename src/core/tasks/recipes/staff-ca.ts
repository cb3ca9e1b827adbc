/**
 * Initial setup, optional part: trust the organisation's staff SSH certificate authority. sshd then accepts a
 * staff member's own OpenSSH client only with a short-lived certificate from that CA whose principal Steward
 * listed for the login user (each principal names one grant and one server). Nothing else changes for other
 * logins.
 */
import type { Step } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { change, failure, inspect, sh, succeeds } from './exec.js';
import { readFile, writeFile } from './files.js';
import { parseSshdT } from './sshd-config.js';

export const STAFF_CA_FILE = '/etc/ssh/steward_user_ca.pub';
export const STAFF_PRINCIPALS_DIR = '/etc/ssh/steward_principals';
/** Early in the drop-in order, so it is read before others (sshd keeps the first value it reads). */
export const STAFF_CA_DROPIN = '/etc/ssh/sshd_config.d/10-steward-staff-ca.conf';

const DROPIN = `# Written by Steward: staff log in only with certificates from the organisation's CA, each naming a grant.
TrustedUserCAKeys ${STAFF_CA_FILE}
AuthorizedPrincipalsFile ${STAFF_PRINCIPALS_DIR}/%u
`;

/** SIGHUP to the pid in sshd's PidFile: sshd re-reads its configuration; open sessions stay. */
const SIGHUP = `pidfile=$(sshd -T 2>/dev/null | awk '$1 == "pidfile" { print $2 }')
[ -n "$pidfile" ] && [ -s "$pidfile" ] || { echo "sshd has no pid file to signal" >&2; exit 1; }
read -r pid < "$pidfile" && kill -HUP "$pid" && echo "SIGHUP to sshd (pid $pid)"`;

async function trustsCa(ctx: TaskContext): Promise<boolean> {
  const effective = parseSshdT((await inspect(ctx, ['sshd', '-T'])).stdout);
  return (
    effective.get('trustedusercakeys')?.[0] === STAFF_CA_FILE &&
    effective.get('authorizedprincipalsfile')?.[0] === `${STAFF_PRINCIPALS_DIR}/%u`
  );
}

export function staffCaSteps(caKey: string): Step<TaskContext>[] {
  const line = `${caKey.trim()}\n`;
  return [
    {
      id: 'staff-ca-key',
      description: `The organisation's staff CA key in ${STAFF_CA_FILE}`,
      check: async (ctx) => (await readFile(ctx, STAFF_CA_FILE)) === line,
      apply: (ctx) => writeFile(ctx, { path: STAFF_CA_FILE, content: line, mode: 0o644, what: 'the staff CA key' }),
    },
    {
      id: 'staff-principals-dir',
      description: `Principals folder ${STAFF_PRINCIPALS_DIR} (one file per login user)`,
      check: (ctx) => succeeds(ctx, sh('[ -d "$1" ] && [ ! -L "$1" ]', STAFF_PRINCIPALS_DIR)),
      apply: async (ctx) => void (await change(ctx, sh('mkdir -p -m 755 -- "$1"', STAFF_PRINCIPALS_DIR))),
    },
    {
      id: 'sshd-trusts-staff-ca',
      description: 'sshd: TrustedUserCAKeys and AuthorizedPrincipalsFile for staff certificates',
      check: trustsCa,
      async apply(ctx) {
        await writeFile(ctx, {
          path: STAFF_CA_DROPIN,
          content: DROPIN,
          mode: 0o644,
          what: 'the staff CA sshd drop-in',
        });
        const test = await inspect(ctx, ['sshd', '-t'], { acceptExitCodes: [0, 1, 255] });
        if (test.exitCode !== 0) {
          await inspect(ctx, sh('rm -f -- "$1"', STAFF_CA_DROPIN));
          throw failure(
            'STEWARD_RECIPE_CONFIG_REJECTED',
            'sshd -t rejected the staff CA settings; they were removed',
            new Error(test.stderr.trim()),
          );
        }
        const hup = await change(ctx, sh(SIGHUP)).catch((error: unknown) => {
          throw failure('STEWARD_RECIPE_SERVICE_FAILED', 'Could not make sshd re-read its configuration', error);
        });
        ctx.log(`sshd re-read its configuration (${hup.stdout.trim()}); open sessions stay connected`);
      },
    },
  ];
}
