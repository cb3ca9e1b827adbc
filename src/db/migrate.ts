import { Migrator, type MigrationResult } from 'kysely';
import { AppError } from '../kernel/errors.js';
import type { Db } from './database.js';
import { migrationProvider } from './migrations/index.js';

export interface MigrationReport {
  readonly applied: string[];
}

/**
 * Brings the schema up to date. Each migration runs in its own transaction; if one fails, the error names it
 * and the caller must stop (Steward never starts on a half-migrated schema).
 */
export async function migrateToLatest(db: Db): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableName: 'steward_migrations', migrationLockTableName: 'steward_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  const applied = (results ?? []).filter((r: MigrationResult) => r.status === 'Success').map((r) => r.migrationName);
  if (error) {
    const failed = (results ?? []).find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('STEWARD_MIGRATION_FAILED', `Migration ${failed} failed: ${reason}. The database was left at the last good migration; fix the cause and run \`steward migrate\` again.`, { migration: failed }, { cause: error });
  }
  return { applied };
}

/** Names of migrations not yet applied (for `steward migrate --status` and the start-up check). */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider, migrationTableName: 'steward_migrations', migrationLockTableName: 'steward_migrations_lock' });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
