import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from './database.js';

describe('SQLite transactions shared with another process', () => {
  let dir: string | undefined;
  let handle: DatabaseHandle | undefined;
  let other: SQLite.Database | undefined;
  afterEach(async () => {
    other?.close();
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('take the write lock at the start, so a transaction that read first still writes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-db-'));
    const file = join(dir, 'steward.db');
    handle = openDatabase({ engine: 'sqlite', path: file });
    await sql`CREATE TABLE t (n INTEGER)`.execute(handle.db);
    // Another connection to the same file, as a second Steward process (a CLI beside the server) would hold.
    other = new SQLite(file);
    other.pragma('busy_timeout = 50');
    let otherWrite: string | undefined;
    const count = await handle.db.transaction().execute(async (trx) => {
      const before = await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(trx);
      // The other process writes between this transaction's read and its write. With a deferred BEGIN its write
      // went through and this transaction's insert failed with SQLITE_BUSY_SNAPSHOT; now the other one waits.
      try {
        other!.prepare('INSERT INTO t (n) VALUES (2)').run();
        otherWrite = 'committed';
      } catch (err) {
        otherWrite = (err as { code?: string }).code;
      }
      await sql`INSERT INTO t (n) VALUES (${before.rows[0]!.n + 1})`.execute(trx);
      return before.rows[0]!.n;
    });
    expect(count).toBe(0);
    expect(otherWrite).toBe('SQLITE_BUSY');
    expect(other.prepare('SELECT n FROM t').all()).toEqual([{ n: 1 }]);
  });
});
