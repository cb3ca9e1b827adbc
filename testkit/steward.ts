import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/api/app.js';
import { createCore, type Core } from '../src/core/core.js';
import { openDatabase, type Engine } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { systemClock, type Clock } from '../src/kernel/clock.js';
import { loadConfig, type Config } from '../src/kernel/config.js';
import { createLogger } from '../src/kernel/logger.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestSteward {
  readonly config: Config;
  readonly core: Core;
  readonly app: FastifyInstance;
  readonly db: TestDatabase;
  readonly dataDir: string;
  /** The environment this Steward was configured with (for child processes such as the CLI). */
  readonly env: Record<string, string>;
  /** Every log line written so far (the logger runs at trace level in tests). */
  readonly logs: string[];
  close(): Promise<void>;
}

/** Settings that keep tests fast (cheap password hashing) and observable (trace logging). */
export const TEST_ENV: Record<string, string> = {
  STEWARD_ARGON2_MEMORY_KIB: '1024',
  STEWARD_ARGON2_ITERATIONS: '1',
  STEWARD_LOG_LEVEL: 'trace',
  STEWARD_JOBS_POLL_MS: '50',
};

/**
 * A complete Steward in this process over a fresh database of the given engine: migrated, vault started, HTTP
 * app built (use `app.inject`, or `app.listen({ port: 0 })` for real sockets).
 */
export async function startTestSteward(options: {
  engine: Engine;
  env?: Record<string, string>;
  clock?: Clock;
  db?: TestDatabase;
  dataDir?: string;
}): Promise<TestSteward> {
  const db = options.db ?? (await createTestDatabase(options.engine));
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'steward-data-'));
  const env = { ...TEST_ENV, STEWARD_DATA_DIR: dataDir, STEWARD_PORT: '0', ...db.env, ...options.env };
  const config = loadConfig(env);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: config.logLevel, destination });
  const database = openDatabase(config.database, { busyTimeoutMs: config.auditTimeoutMs });
  await migrateToLatest(database.db);
  const core = createCore({ config, database, clock: options.clock ?? systemClock, logger });
  await core.start();
  const app = await buildApp(core);
  await app.ready();
  return {
    config,
    core,
    app,
    db,
    dataDir,
    env,
    logs,
    async close() {
      await app.close();
      await core.close();
      if (!options.db) await db.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
