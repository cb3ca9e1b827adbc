/**
 * Talking to MariaDB (or MySQL) on the server through its own client. SQL always travels on the client's stdin;
 * root logs in over the local socket (unix_socket authentication, the default for root@localhost), so Steward
 * needs no database root password. A user's password goes only on stdin too: never in argv (visible in `ps`),
 * never in the environment (visible in /proc/PID/environ), never in a file.
 */
import { randomInt } from 'node:crypto';
import { AppError } from '../../../kernel/errors.js';
import { Secret } from '../../../kernel/secret.js';
import type { TaskContext } from '../recipe.js';
import { ExecError } from '../../../remote/index.js';
import { failure, inspect, sh } from './exec.js';

const CLIENT = ['mysql', '--batch', '--raw', '--skip-column-names'] as const;

/**
 * Logs in as user "$1" with the password on the first line of stdin; the rest of stdin is the SQL. The password
 * reaches the client through a here-document on descriptor 3 read as an option file: a pipe, so it touches no
 * disk and no process's argv or environment.
 */
const AS_USER_SCRIPT = `
IFS= read -r pw
exec mysql --defaults-extra-file=/dev/fd/3 --batch --raw --skip-column-names --user="$1" 3<<EOF
[client]
password="$pw"
EOF
`;

/** Prints nothing and exits 0 when "$1" is a line of the SQL's output; keeps the output (it may hold hashes) on the server. */
const OUTPUT_HAS_LINE_SCRIPT = 'mysql --batch --raw --skip-column-names | grep -F -x -q -- "$1"';

const PASSWORD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Letters and digits only: safe in SQL literals and option files without escaping, ~190 bits at 32 characters. */
const PASSWORD_SHAPE = /^[A-Za-z0-9]{20,128}$/;

/** A new database password from the CSPRNG: 32 characters of [A-Za-z0-9]. */
export function generatePassword(): string {
  let out = '';
  for (let i = 0; i < 32; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/** The revealed password, checked to be of the shape Steward generates before it goes anywhere near SQL. */
export function revealPassword(value: Secret<string>): string {
  const password = value.reveal();
  if (!PASSWORD_SHAPE.test(password))
    throw new AppError(
      'STEWARD_RECIPE_SECRET_INVALID',
      'A sealed database password is not of the form Steward generates; it was not sent.',
    );
  return password;
}

/** A string literal; names reaching SQL are validated already, so this is a second fence, not the first. */
export const sqlString = (value: string): string => `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
export const sqlIdent = (name: string): string => `\`${name.replaceAll('`', '``')}\``;
/** In GRANT … ON db.*, `_` and `%` are wildcards; escaped, the grant covers this database only. */
export const grantDatabase = (name: string): string =>
  sqlIdent(name.replaceAll('\\', '\\\\').replaceAll('_', '\\_').replaceAll('%', '\\%'));
export const account = (user: string): string => `${sqlString(user)}@'localhost'`;

/** Runs SQL without secrets as the server's root and returns its output rows. */
export async function rootSql(ctx: TaskContext, sql: string): Promise<string[]> {
  const result = await inspect(ctx, [...CLIENT], { stdin: sql }).catch((error: unknown) => {
    throw failure(
      'STEWARD_RECIPE_COMMAND_FAILED',
      `MariaDB did not run "${sql.trim().split(' ').slice(0, 2).join(' ')} …"`,
      error,
    );
  });
  return result.stdout.split('\n').filter((line) => line.length > 0);
}

/** Whether `line` is in the output of SQL run as root; the output itself never leaves the server. */
export async function rootSqlHasLine(ctx: TaskContext, sql: string, line: string): Promise<boolean> {
  const result = await inspect(ctx, sh(OUTPUT_HAS_LINE_SCRIPT, line), { stdin: sql, acceptExitCodes: [0, 1] });
  return result.exitCode === 0;
}

/**
 * Runs SQL that holds `password` as root. Nothing of the command's output reaches the task log, and a failure
 * is reported without its stderr, which could quote the statement.
 */
export async function rootSqlWithSecret(ctx: TaskContext, sql: string, password: string, what: string): Promise<void> {
  try {
    await inspect(ctx, [...CLIENT], { stdin: new Secret(sql) });
  } catch (error) {
    throw new AppError(
      'STEWARD_RECIPE_COMMAND_FAILED',
      `${what} failed in MariaDB${mysqlErrorCode(error instanceof ExecError ? error.stderr : '', password)}.`,
    );
  }
}

/** " (ERROR 1045 28000)" from the client's message, and nothing else of it. */
function mysqlErrorCode(stderr: string, password: string): string {
  const match = /ERROR (\d+) \(([0-9A-Z]{5})\)/.exec(stderr.split(password).join(''));
  return match ? ` (ERROR ${match[1]} ${match[2]})` : '';
}

/** Whether `user`@localhost can log in with `password` (sent on stdin, as everywhere). */
export async function canLogIn(ctx: TaskContext, user: string, password: string): Promise<boolean> {
  const result = await inspect(ctx, sh(AS_USER_SCRIPT, user), {
    stdin: new Secret(`${password}\nSELECT 1;\n`),
    acceptExitCodes: [0, 1],
  }).catch(() => {
    // Whatever went wrong, its output stays out of the error: it ran with the password on its stdin.
    throw new AppError(
      'STEWARD_RECIPE_COMMAND_FAILED',
      `Could not run the MariaDB client to check ${user}'s password.`,
    );
  });
  if (result.exitCode === 0) return true;
  if (/ERROR 1045 /.test(result.stderr)) return false;
  throw new AppError(
    'STEWARD_RECIPE_COMMAND_FAILED',
    `Could not ask MariaDB whether ${user} can log in${mysqlErrorCode(result.stderr, password)}.`,
  );
}

export async function userExists(ctx: TaskContext, user: string): Promise<boolean> {
  const rows = await rootSql(
    ctx,
    `SELECT COUNT(*) FROM mysql.user WHERE User = ${sqlString(user)} AND Host = 'localhost';\n`,
  );
  return rows[0] === '1';
}

/** Sets `user`@localhost's password, creating the account if needed. */
export async function setPassword(ctx: TaskContext, user: string, password: string): Promise<void> {
  const sql = `CREATE USER IF NOT EXISTS ${account(user)} IDENTIFIED BY ${sqlString(password)};\nALTER USER ${account(user)} IDENTIFIED BY ${sqlString(password)};\n`;
  await rootSqlWithSecret(ctx, sql, password, `Setting the password of ${user}@localhost`);
}
