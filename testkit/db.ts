import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { DatabaseTarget } from '../src/kernel/config.js';
import type { Engine } from '../src/db/database.js';
import { Secret } from '../src/kernel/secret.js';

/** Both engines; every integration suite that touches the store runs once per engine. */
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** The PostgreSQL server tests use (CI: 127.0.0.1:5432, trust auth, database `test`). */
export const PG_URL = process.env.STEWARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly engine: Engine;
  readonly target: DatabaseTarget;
  /** The URL (postgres) or file path (sqlite), for child processes. */
  readonly env: Record<string, string>;
  /** PostgreSQL schema name, or the SQLite file path. */
  readonly location: string;
  drop(): Promise<void>;
}

async function pgClient(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(
      `PostgreSQL is needed for the tests but ${PG_URL} cannot be reached (${(err as Error).message}). ` +
        'Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`) or set STEWARD_TEST_PG_URL.',
      { cause: err },
    );
  }
  return client;
}

/**
 * A fresh, empty database: a temporary SQLite file, or a new schema in the PostgreSQL test database
 * (selected through the connection's search_path), dropped afterwards.
 */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'steward-db-'));
    const path = join(dir, 'steward.db');
    return {
      engine,
      location: path,
      target: { engine: 'sqlite', path },
      env: { STEWARD_DATABASE_URL: `sqlite:${path}` },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = await pgClient();
  try {
    await client.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await client.end();
  }
  const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  // pg-boss names its schema explicitly (search_path does not move it), so each test database gets its own.
  const jobsSchema = `${schema}_jobs`;
  return {
    engine,
    location: schema,
    target: { engine: 'postgres', url: new Secret(url) },
    env: { STEWARD_DATABASE_URL: url, STEWARD_JOBS_SCHEMA: jobsSchema },
    drop: async () => {
      const c = await pgClient();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.query(`DROP SCHEMA IF EXISTS ${jobsSchema} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Runs SQL directly against a test database (for tampering and inspection), outside Steward. */
export async function rawQuery(
  db: TestDatabase,
  sqlText: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  if (db.engine === 'sqlite') {
    const { default: SQLite } = await import('better-sqlite3');
    const conn = new SQLite(db.location);
    try {
      const stmt = conn.prepare(sqlText.replace(/\$\d+/g, '?'));
      return stmt.reader ? (stmt.all(...params) as Record<string, unknown>[]) : (stmt.run(...params), []);
    } finally {
      conn.close();
    }
  }
  const client = new pg.Client({ connectionString: (db.target as { url: Secret<string> }).url.reveal() });
  await client.connect();
  try {
    return (await client.query(sqlText, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/**
 * Everything a test database holds, as text: the SQLite files (database and write-ahead log) byte for byte, or
 * a `pg_dump` of the test schema. Leak tests grep it for canaries.
 */
export function dumpDatabase(db: TestDatabase): string {
  if (db.engine === 'sqlite') {
    const dir = dirname(db.location);
    return readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString('latin1'))
      .join('\n');
  }
  const url = new URL(PG_URL);
  return execFileSync(
    'pg_dump',
    [
      '-h',
      url.hostname,
      '-p',
      url.port || '5432',
      '-U',
      url.username || 'postgres',
      '--data-only',
      '-n',
      db.location,
      url.pathname.slice(1),
    ],
    { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 },
  );
}
