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
  // Every test signs people up from one address and domain; the limits have their own test (test/signup.test.ts).
  STEWARD_SIGNUP_PER_ADDRESS: '100000',
  STEWARD_SIGNUP_PER_DOMAIN: '100000',
};

const cores = new WeakMap<FastifyInstance, Core>();

/** The core behind a test Steward's app, for helpers that are handed only the app (see `signUp`). */
export function coreOf(app: FastifyInstance): Core {
  const core = cores.get(app);
  if (!core) throw new Error('This app was not started by startTestSteward.');
  return core;
}

/**
 * The link of the latest confirmation mail Steward wrote for `email`, as the person would find it in the mail
 * (read from the outbox, where it is kept whether or not SMTP is configured).
 */
export async function confirmationLink(core: Core, email: string): Promise<string> {
  const mails = await core.notify.mailsTo(core.vault.emailIndex(email));
  const mail = mails.filter((m) => m.template === 'account.confirm').at(-1);
  const link = mail ? /https?:\/\/\S+\/confirm#[A-Za-z0-9_-]+/.exec(mail.text)?.[0] : undefined;
  if (!link) throw new Error(`no confirmation mail with a link for ${email}`);
  return link;
}

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
  cores.set(app, core);
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
