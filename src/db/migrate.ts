import { Migrator, PostgresAdapter, sql, type MigrationResult } from 'kysely';
import { sleep } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import type { Db } from './database.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrationReport {
  readonly applied: string[];
}

/**
 * Kysely looks for its migration tables in every schema it can see unless told which one, so on a PostgreSQL
 * database holding several Steward schemas (one per test, or per installation) it could take another's tables
 * for its own. Name the current schema explicitly.
 */
async function migratorFor(db: Db): Promise<Migrator> {
  const schema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ s: string }>`SELECT current_schema() AS s`.execute(db)).rows[0]?.s
      : undefined;
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: 'steward_migrations',
    migrationLockTableName: 'steward_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction; if one fails, the error names it
 * and the caller must stop (Steward never starts on a half-migrated schema).
 */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = await migratorFor(db);
  let { error, results } = await migrator.migrateToLatest();
  // Looking for its own tables, Kysely reads every table the database has; one dropped meanwhile in another schema
  // (another installation's, or a queue's) fails that read before any migration ran. Read again.
  for (let retry = 1; error && results === undefined && relationVanished(error) && retry <= 5; retry++) {
    await sleep(50 * retry);
    ({ error, results } = await migrator.migrateToLatest());
  }
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

/** PostgreSQL's "relation does not exist" (42P01). */
function relationVanished(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '42P01';
}

/** Names of migrations not yet applied (for `steward migrate --status` and the start-up check). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrator = await migratorFor(db);
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
