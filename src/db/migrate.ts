import { Migrator, PostgresAdapter, sql, type DatabaseIntrospector, type MigrationResult } from 'kysely';
import { AppError } from '../kernel/errors.js';
import type { Db } from './database.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrationReport {
  readonly applied: string[];
}

/**
 * Kysely's migrator looks for its own tables by reading every table of every schema the database has; on a
 * PostgreSQL database holding several Steward schemas (one per test, or per installation) it could take another's
 * tables for its own, and a schema dropped meanwhile fails that read ("schema ... does not exist", from the
 * functions its catalog query calls per table). So on PostgreSQL it is given a view of the database whose
 * introspection reads the current schema's tables only, from plain catalog rows.
 */
async function migratorFor(db: Db): Promise<Migrator> {
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s
      : undefined;
  return new Migrator({
    db: schema ? withOwnSchemaOnly(db, schema) : db,
    provider: migrationProvider,
    migrationTableName: 'steward_migrations',
    migrationLockTableName: 'steward_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/** `db` as it is, but for an introspection that sees the schema names and `schema`'s own tables only. */
function withOwnSchemaOnly(db: Db, schema: string): Db {
  const introspection: DatabaseIntrospector = {
    getSchemas: async () =>
      (await sql<{ name: string }>`SELECT nspname AS name FROM pg_catalog.pg_namespace`.execute(db)).rows,
    getTables: async () => {
      const rows = await sql<{ name: string; kind: string }>`
        SELECT c.relname AS name, c.relkind AS kind
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ${schema} AND c.relkind IN ('r', 'p', 'v', 'm')`.execute(db);
      return rows.rows.map((r) => ({ name: r.name, schema, isView: r.kind === 'v' || r.kind === 'm', columns: [] }));
    },
    getMetadata: async () => ({ tables: await introspection.getTables() }),
  };
  // Kysely's methods read private fields, so they run on the real instance, not on the proxy.
  return new Proxy(db, {
    get(target, key) {
      if (key === 'introspection') return introspection;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction; if one fails, the error names it
 * and the caller must stop (Steward never starts on a half-migrated schema).
 */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = await migratorFor(db);
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      'STEWARD_MIGRATION_FAILED',
      `Migration ${failed} failed: ${reason}. The database was left at the last good migration; fix the cause and run \`steward migrate\` again.`,
      { migration: failed },
      { cause: error },
    );
  }
  return { applied };
}

/** Names of migrations not yet applied (for `steward migrate --status` and the start-up check). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrator = await migratorFor(db);
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
