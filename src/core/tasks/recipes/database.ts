import { z } from 'zod';
import { AppError } from '../../../kernel/errors.js';
import type { Step } from '../../../remote/index.js';
import { defineRecipe, type TaskContext } from '../recipe.js';
import { inspect, sh } from './exec.js';
import {
  account,
  canLogIn,
  generatePassword,
  grantDatabase,
  revealPassword,
  rootSql,
  rootSqlHasLine,
  setPassword,
  sqlIdent,
  sqlString,
  userExists,
} from './mysql.js';
import { packageStep } from './packages.js';
import { sqlName } from './params.js';
import { findService, isRunning, serviceEnabledStep, startService } from './services.js';

export const databaseParams = z.object({
  engine: z.literal('mariadb').default('mariadb'),
  /** The database to create. */
  name: sqlName,
  /** The account that owns it (`user`@localhost). */
  user: sqlName,
});

export type DatabaseParams = z.infer<typeof databaseParams>;

/** Names Debian, RHEL and Alpine give the server's service, newest first. */
export const DB_SERVICES = ['mariadb', 'mysql', 'mysqld'] as const;

/** The sealed password of `user` for database `name`, as TaskSecrets names it. */
export const passwordSecret = (name: string, user: string): string => `db:${name}:${user}`;

/** A fresh data folder on hosts whose package does not make one (Alpine); Debian's and RHEL's do. */
const INIT_DATADIR_SCRIPT = `
[ -d /var/lib/mysql/mysql ] && exit 0
for c in mariadb-install-db mysql_install_db; do
  if command -v "$c" >/dev/null 2>&1; then "$c" --user=mysql --datadir=/var/lib/mysql >&2 && echo "initialised /var/lib/mysql"; exit $?; fi
done
echo "no mariadb-install-db to initialise /var/lib/mysql" >&2; exit 1
`;

async function answers(ctx: TaskContext): Promise<boolean> {
  const ping = await inspect(ctx, ['mysqladmin', '--connect-timeout=5', 'ping'], { acceptExitCodes: [0, 1] });
  return ping.exitCode === 0;
}

const runningStep: Step<TaskContext> = {
  id: 'db-running',
  description: 'the MariaDB server is running and answers',
  check: async (ctx) => (await isRunning(ctx, await findService(ctx, DB_SERVICES))) && answers(ctx),
  async apply(ctx) {
    const created = await inspect(ctx, sh(INIT_DATADIR_SCRIPT));
    if (created.stdout.trim()) ctx.log(created.stdout.trim());
    const svc = await findService(ctx, DB_SERVICES);
    if (!(await isRunning(ctx, svc))) await startService(ctx, svc);
    // The service manager may report it started before the socket takes connections.
    const until = Date.now() + 30_000;
    while (!(await answers(ctx)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 300));
  },
};

function databaseStep(name: string): Step<TaskContext> {
  return {
    id: 'db-database',
    description: `database ${name} exists`,
    check: async (ctx) =>
      (
        await rootSql(ctx, `SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${sqlString(name)};\n`)
      )[0] === '1',
    async apply(ctx) {
      await rootSql(
        ctx,
        `CREATE DATABASE IF NOT EXISTS ${sqlIdent(name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;\n`,
      );
      ctx.log(`created database ${name} (utf8mb4)`);
    },
  };
}

/** The account exists and logs in with the password Steward holds sealed; the password is made the first time. */
function userStep(name: string, user: string): Step<TaskContext> {
  const secretName = passwordSecret(name, user);
  return {
    id: 'db-user',
    description: `database user ${user}@localhost exists and logs in with the password Steward holds`,
    async check(ctx) {
      const sealed = await ctx.secrets.get(secretName);
      return (
        sealed !== undefined && (await userExists(ctx, user)) && (await canLogIn(ctx, user, revealPassword(sealed)))
      );
    },
    async apply(ctx) {
      // Sealed before the server hears of it: a run cut short after this still knows the password it set.
      const sealed = await ctx.secrets.ensure(secretName, generatePassword);
      const existed = await userExists(ctx, user);
      await setPassword(ctx, user, revealPassword(sealed));
      ctx.log(
        existed
          ? `${user}@localhost now logs in with the password Steward holds (it had another one)`
          : `created database user ${user}@localhost; its password was generated and sealed by Steward`,
      );
    },
  };
}

function grantStep(name: string, user: string): Step<TaskContext> {
  const grant = `GRANT ALL PRIVILEGES ON ${grantDatabase(name)}.* TO ${account(user)};\n`;
  // As SHOW GRANTS prints it (backquotes, no IDENTIFIED BY on this line).
  const shown = `GRANT ALL PRIVILEGES ON ${grantDatabase(name)}.* TO \`${user}\`@\`localhost\``;
  return {
    id: 'db-grant',
    description: `${user} has all privileges on ${name}`,
    check: (ctx) => rootSqlHasLine(ctx, `SHOW GRANTS FOR ${account(user)};\n`, shown),
    async apply(ctx) {
      if (!(await userExists(ctx, user)))
        throw new AppError('STEWARD_RECIPE_PRECONDITION', `Database user ${user}@localhost does not exist.`);
      await rootSql(ctx, grant);
      ctx.log(`granted ${user} all privileges on ${name}`);
    },
  };
}

/**
 * A database and its owner on MariaDB: the server installed, started at boot and running; the database; the
 * user `user`@localhost with a password Steward generates, seals (`db:<name>:<user>`) and sends only on the
 * client's stdin; and all privileges on the database for that user.
 */
export default defineRecipe<DatabaseParams>({
  id: 'database',
  title: 'Database and user',
  description: 'MariaDB with a database and a user whose password Steward generates and seals.',
  kind: 'state',
  params: databaseParams,
  steps: ({ name, user }) => [
    packageStep('db-installed', 'MariaDB server', {
      apt: ['mariadb-server'],
      dnf: ['mariadb-server'],
      apk: ['mariadb', 'mariadb-client'],
    }),
    serviceEnabledStep('db-at-boot', DB_SERVICES),
    runningStep,
    databaseStep(name),
    userStep(name, user),
    grantStep(name, user),
  ],
});
