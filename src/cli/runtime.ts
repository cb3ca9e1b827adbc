import { createCore, type Core } from '../core/core.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest, pendingMigrations } from '../db/migrate.js';
import { systemClock } from '../kernel/clock.js';
import { loadConfig, type Config } from '../kernel/config.js';
import { AppError } from '../kernel/errors.js';
import { createLogger, type Logger } from '../kernel/logger.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LocalRuntime {
  readonly config: Config;
  readonly logger: Logger;
  readonly core: Core;
  close(): Promise<void>;
}

/**
 * Opens what local commands need: configuration, database (migrated or checked), the core, and the vault.
 * `migrate: 'apply'` brings the schema up to date; `'require'` refuses to run on an out-of-date schema.
 */
export async function openLocal(
  env: Env,
  options: { migrate: 'apply' | 'require'; logLevel?: string },
): Promise<LocalRuntime> {
  const config = loadConfig(
    options.logLevel ? { ...env, STEWARD_LOG_LEVEL: env.STEWARD_LOG_LEVEL ?? options.logLevel } : env,
  );
  const logger = createLogger({ level: config.logLevel });
  const database = openDatabase(config.database, { busyTimeoutMs: config.auditTimeoutMs });
  try {
    if (options.migrate === 'apply') {
      const { applied } = await migrateToLatest(database.db);
      if (applied.length > 0) logger.info({ applied }, 'database migrated');
    } else {
      const pending = await pendingMigrations(database.db);
      if (pending.length > 0)
        throw new AppError(
          'STEWARD_MIGRATION_FAILED',
          `The database needs migrations (${pending.join(', ')}); run \`steward migrate\` first.`,
        );
    }
  } catch (err) {
    await database.close();
    throw err;
  }
  const core = createCore({ config, database, clock: systemClock, logger });
  await core.start();
  return { config, logger, core, close: () => core.close() };
}

/** For commands that need the secrets: fails with the vault's own explanation when it is sealed. */
export function requireUnsealed(runtime: LocalRuntime): void {
  const status = runtime.core.vault.status();
  if (status.sealed) throw new AppError('STEWARD_SEALED', `The vault is sealed: ${status.message}`);
}
