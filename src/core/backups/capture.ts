/**
 * The commands a capture and a restore run on the customer's server, as argv for the SSH layer. Each is a fixed
 * `sh -c` script whose data (database, user, paths) arrive as positional arguments, never as shell text. A
 * database password arrives as the first line of stdin and reaches the client through a here-document on a
 * file descriptor (a pipe: no argument, no file on disk). The dump or archive is the command's stdout; a restore
 * reads it from stdin after the password line.
 */
import type { Argv } from '../../remote/index.js';

export interface DbAccess {
  readonly kind: 'mysql' | 'postgresql';
  readonly database: string;
  /** `login`: the login's own access (root, or sudo; PostgreSQL as its postgres account). */
  readonly mode: 'login' | 'password';
  readonly user: string | null;
}

/**
 * Defines `client PROG ARGS…`: the database client run with the access the plan has. MySQL gets an option file on
 * fd 3 (`--defaults-extra-file` must come first); PostgreSQL with a password gets PGPASSWORD in the client's own
 * environment (readable only by its user and root: libpq reads a password file only when it is a plain file).
 */
const CLIENT = `
db=$1; mode=$2; user=$3; engine=$4; shift 4
if [ "$mode" = password ]; then
  IFS= read -r line || { echo 'steward: no database credential arrived on stdin' >&2; exit 97; }
  if [ "$engine" = mysql ]; then
    client() { prog=$1; shift; "$prog" --defaults-extra-file=/dev/fd/3 "$@" 3<<STEWARD_EOF
[client]
user=$user
$line
STEWARD_EOF
    }
  else
    client() { PGPASSWORD=$line PGUSER=$user PGHOST=127.0.0.1 "$@"; }
  fi
elif [ "$engine" = postgresql ]; then
  if [ "$(id -u)" = 0 ]; then client() { runuser -u postgres -- "$@"; }; else client() { sudo -n -u postgres -- "$@"; }; fi
elif [ "$(id -u)" = 0 ]; then client() { "$@"; }
else client() { sudo -n -- "$@"; }
fi
`;

const DUMP = `${CLIENT}
if [ "$engine" = mysql ]; then
  client mysqldump --single-transaction --quick --routines --triggers --events --hex-blob --no-tablespaces --skip-dump-date "$db"
else
  client pg_dump --clean --if-exists --quote-all-identifiers "$db"
fi
`;

/**
 * MySQL/MariaDB cannot restore a dump in one transaction (its DDL commits), so the dump goes into a fresh database
 * first; only when all of it loaded are its tables swapped in by one RENAME TABLE (atomic: all or none), the old
 * ones moved aside and dropped after. Triggers pin a table to its database, so they are taken off both sides for
 * the swap and the restore point's are made again after it (and the old ones put back if the swap fails); views,
 * routines and events are made again from the fresh database. An account that may not create a database (one
 * limited to its own) restores in place, statement by statement, as mysql does, and says so on stderr.
 */
const MYSQL_RESTORE = `
stage="stw_restore_$$"; trash="stw_replaced_$$"
q() { client mysql -N -B -e "$1" </dev/null; }
cleanup() { q "DROP DATABASE IF EXISTS \\\`$stage\\\`; DROP DATABASE IF EXISTS \\\`$trash\\\`" >/dev/null 2>&1; }
fail() { cleanup; echo "steward: $1" >&2; exit 1; }
q "CREATE DATABASE IF NOT EXISTS \\\`$db\\\`" || exit 1
if ! q "DROP DATABASE IF EXISTS \\\`$stage\\\`; CREATE DATABASE \\\`$stage\\\`" 2>/dev/null; then
  echo "steward: this account may not create a database; restoring into $db in place (not all or nothing)" >&2
  client mysql --binary-mode "$db"; exit $?
fi
client mysql --binary-mode "$stage" || fail "the restore point did not load completely, so $db was not changed"
dumpstage() { client mysqldump --no-data --skip-opt --compact "$@" </dev/null; }
triggers=$(dumpstage --no-create-info --skip-routines --skip-events --triggers --add-drop-trigger "$stage") || fail "reading the restored triggers failed; $db was not changed"
extras=$(dumpstage --no-create-info --skip-triggers --routines --events --add-drop-table "$stage") || fail "reading the restored routines failed; $db was not changed"
views=$(q "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '$stage'") || fail "listing views failed; $db was not changed"
viewsql=""
if [ -n "$views" ]; then viewsql=$(dumpstage --skip-triggers --add-drop-table "$stage" $views) || fail "reading the restored views failed; $db was not changed"; fi
moving="SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$stage' AND TABLE_TYPE = 'BASE TABLE'"
oldtriggers=$(q "SELECT EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '$db' AND EVENT_OBJECT_TABLE IN ($moving) GROUP BY EVENT_OBJECT_TABLE")
oldsql=""
if [ -n "$oldtriggers" ]; then oldsql=$(client mysqldump --no-data --no-create-info --skip-opt --compact --skip-routines --skip-events --triggers "$db" $oldtriggers </dev/null) || fail "reading $db's triggers failed; $db was not changed"; fi
drops=$(q "SELECT CONCAT('DROP TRIGGER \\\`', TRIGGER_SCHEMA, '\\\`.\\\`', TRIGGER_NAME, '\\\`;') FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '$stage' OR (TRIGGER_SCHEMA = '$db' AND EVENT_OBJECT_TABLE IN ($moving))")
renames=$(q "SET SESSION group_concat_max_len = 67108864; SELECT GROUP_CONCAT(CONCAT(IF(d.TABLE_NAME IS NULL, '', CONCAT('\\\`$db\\\`.\\\`', s.TABLE_NAME, '\\\` TO \\\`$trash\\\`.\\\`', s.TABLE_NAME, '\\\`, ')), '\\\`$stage\\\`.\\\`', s.TABLE_NAME, '\\\` TO \\\`$db\\\`.\\\`', s.TABLE_NAME, '\\\`') SEPARATOR ', ') FROM information_schema.TABLES s LEFT JOIN information_schema.TABLES d ON d.TABLE_SCHEMA = '$db' AND d.TABLE_NAME = s.TABLE_NAME WHERE s.TABLE_SCHEMA = '$stage' AND s.TABLE_TYPE = 'BASE TABLE'")
q "CREATE DATABASE \\\`$trash\\\`; $drops" || { [ -z "$oldsql" ] || printf '%s\\n' "$oldsql" | client mysql "$db"; fail "taking triggers off for the swap failed; $db was put back as it was"; }
if [ -n "$renames" ] && [ "$renames" != NULL ]; then
  q "RENAME TABLE $renames" || { [ -z "$oldsql" ] || printf '%s\\n' "$oldsql" | client mysql "$db"; fail "swapping the restored tables in failed; $db was put back as it was"; }
fi
printf '%s\\n' "$viewsql" "$triggers" "$extras" | client mysql --binary-mode "$db" || fail "the tables of $db are restored, but its views, triggers or routines could not be made again"
cleanup
`;

const RESTORE = `${CLIENT}
if [ "$engine" = mysql ]; then
${MYSQL_RESTORE}
else
  if [ "$(client psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$db'" </dev/null)" != 1 ]; then
    client createdb "$db" </dev/null
  fi
  client psql -q -v ON_ERROR_STOP=1 --single-transaction -d "$db" >/dev/null
fi
`;

const TABLES = `${CLIENT}
if [ "$engine" = mysql ]; then
  client mysql -N -B -e 'SHOW TABLES' "$db" </dev/null 2>/dev/null || true
else
  client psql -At -d "$db" -c "SELECT schemaname || '.' || tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')" </dev/null 2>/dev/null || true
fi
`;

const positional = (a: DbAccess): string[] => [a.database, a.mode, a.user ?? '', a.kind];

/** The dump: a consistent snapshot (`--single-transaction`; pg_dump's own snapshot) on stdout. */
export const dumpArgv = (a: DbAccess): Argv => ['sh', '-c', DUMP, 'steward-dump', ...positional(a)];

/** Reads a dump on stdin into the database, creating it first when it is missing. */
export const restoreDbArgv = (a: DbAccess): Argv => ['sh', '-c', RESTORE, 'steward-restore', ...positional(a)];

/** The tables the database has now (for a dry run); empty when it does not exist. */
export const tablesArgv = (a: DbAccess): Argv => ['sh', '-c', TABLES, 'steward-tables', ...positional(a)];

const asRoot = `if [ "$(id -u)" = 0 ]; then run() { "$@"; }; else run() { sudo -n -- "$@"; }; fi
`;

/**
 * A tar stream of `paths` on stdout (member names relative to /). GNU tar's exit status 1 means a file changed
 * while it was read: the archive is still whole, so the caller accepts it and says so.
 */
export function tarArgv(paths: readonly string[], excludes: readonly string[]): Argv {
  const script = `${asRoot}run tar --create --file=- --numeric-owner --one-file-system --ignore-failed-read --warning=no-file-changed -C / "$@"
`;
  const args = [...excludes.map((e) => `--exclude=${e}`), '--', ...paths.map((p) => p.replace(/^\/+/, ''))];
  return ['sh', '-c', script, 'steward-tar', ...args];
}

/** Extracts the tar stream on stdin under `into` (default /), only `members` when given. */
export function untarArgv(into: string, members: readonly string[]): Argv {
  const script = `${asRoot}dir=$1; shift
run mkdir -p -- "$dir"
run tar --extract --file=- --numeric-owner --preserve-permissions --same-owner -C "$dir" "$@"
`;
  return ['sh', '-c', script, 'steward-untar', into, '--', ...members.map((p) => p.replace(/^\/+/, ''))];
}

/** What is at each path now, NUL-separated `type size mtime path` lines (for a dry run). */
export function listArgv(paths: readonly string[]): Argv {
  const script = `${asRoot}for p in "$@"; do
  [ -e "$p" ] || [ -L "$p" ] || continue
  run find "$p" -xdev -printf '%y %s %T@ %p\\0'
done
`;
  return ['sh', '-c', script, 'steward-list', ...paths];
}
