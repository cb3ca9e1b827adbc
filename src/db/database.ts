import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import type { DatabaseTarget } from '../kernel/config.js';
import { ensurePrivateDir, ensurePrivateFile } from '../kernel/files.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;
/** Something queries can run on: the database or an open transaction. */
export type Executor = Db | Trx;
export type Engine = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  readonly db: Db;
  readonly engine: Engine;
  close(): Promise<void>;
}

/** SQLite does roll back schema changes in a transaction; telling Kysely so makes a failed migration leave nothing behind. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/**
 * Transactions begin with `BEGIN IMMEDIATE`: the write lock is taken at the start, and another process holding
 * it is waited for (the busy timeout). A deferred `BEGIN` takes it at the first write instead, and a transaction
 * that read before another process committed then fails at once with SQLITE_BUSY_SNAPSHOT, without waiting. In
 * one process nothing changes: Kysely runs one query at a time on its one connection anyway.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class StewardSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/** Distinct statements kept prepared per SQLite connection (SQL with `in (?, …)` lists varies by length). */
const STATEMENT_CACHE = 500;

/**
 * The SQLite connection Kysely is given: `prepare` answers a statement already prepared for the same text, so
 * a query run again skips SQLite's parser and planner. Safe because Kysely runs one query at a time on it.
 */
function withStatementCache(sqlite: SQLite.Database): SQLite.Database {
  // Each entry keeps the text it was first prepared for: re-keying a hit under the caller's newly built string
  // would keep that string alive until the next call of the same statement, long enough to reach the old generation.
  const cache = new Map<string, { sql: string; stmt: SQLite.Statement }>();
  const prepare = (sql: string): SQLite.Statement => {
    let entry = cache.get(sql);
    if (entry) {
      cache.delete(sql); // most recently used goes last, so the oldest is dropped first
    } else {
      entry = { sql, stmt: sqlite.prepare(sql) };
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
    }
    cache.set(entry.sql, entry);
    return entry.stmt;
  };
  return new Proxy(sqlite, {
    get: (target, key) => {
      if (key === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * Opens the database the configuration names. Nothing connects before this is called. SQLite runs in WAL mode
 * with foreign keys on; PostgreSQL returns int8 as numbers (Steward's counters stay far below 2^53).
 */
export function openDatabase(
  target: DatabaseTarget,
  options: { statementTimeoutMs?: number; busyTimeoutMs?: number } = {},
): DatabaseHandle {
  if (target.engine === 'sqlite') {
    // Everything sealed is in this file (and its log): only Steward's own user may read it.
    if (target.path !== ':memory:') {
      ensurePrivateDir(dirname(target.path));
      ensurePrivateFile(target.path, ['-wal', '-shm', '-journal']);
    }
    const sqlite = new SQLite(target.path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // better-sqlite3 waits for a lock synchronously, so keep the wait short: a locked database answers 503.
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 2000}`);
    const db = new Kysely<Database>({
      dialect: new StewardSqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return { db, engine: 'sqlite', close: () => db.destroy() };
  }
  const parse = (value: string): number => Number(value);
  const pool = new pg.Pool({
    connectionString: target.url.reveal(),
    max: 10,
    connectionTimeoutMillis: 5_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    types: {
      getTypeParser: ((oid: number, format?: string) =>
        oid === PG_INT8 || oid === PG_NUMERIC
          ? parse
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, engine: 'postgres', close: () => db.destroy() };
}

/** Runs `fn` in a transaction: the one already open, or a new one. */
export function inTransaction<T>(exec: Executor, fn: (trx: Trx) => Promise<T>): Promise<T> {
  if (exec.isTransaction) return fn(exec as Trx);
  return (exec as Db).transaction().execute(fn);
}
