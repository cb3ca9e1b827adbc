import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, PG_URL, type TestDatabase } from '../../testkit/db.js';
import { openDatabase, type DatabaseHandle } from './database.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';

/**
 * The migrator reads every table the PostgreSQL database has to find its own. Other installations (or test
 * schemas) dropped meanwhile must not fail a start-up: neither a table nor a whole schema vanishing mid-read.
 */
describe('migrations beside schemas dropped meanwhile (postgres)', () => {
  let db: TestDatabase;
  let handle: DatabaseHandle;
  beforeAll(async () => {
    db = await createTestDatabase('postgres');
    handle = openDatabase(db.target);
    await migrateToLatest(handle.db);
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    await db?.drop();
  });

  it('a check for pending migrations succeeds while other schemas come and go', async () => {
    const churn = new pg.Client({ connectionString: PG_URL });
    await churn.connect();
    let stop = false;
    let churned = 0;
    const tag = `churn_${Date.now().toString(36)}`;
    const loop = (async () => {
      for (let i = 0; !stop; i++) {
        const name = `${tag}_${i}`;
        await churn.query(
          `CREATE SCHEMA ${name}; ` +
            Array.from({ length: 20 }, (_, t) => `CREATE TABLE ${name}.t${t} (id serial primary key, v text);`).join(
              ' ',
            ),
        );
        await churn.query(`DROP SCHEMA ${name} CASCADE`);
        churned++;
      }
    })();
    const errors: string[] = [];
    try {
      // At least 30 checks, and on until 20 schemas were dropped (a bound keeps a stalled churn from hanging).
      for (let i = 0; (i < 30 || churned < 20) && i < 5000; i++) {
        // Both ways in: the start-up's check for pending migrations and the migration itself.
        const check = i % 2 === 0 ? pendingMigrations(handle.db) : migrateToLatest(handle.db).then((r) => r.applied);
        const left = await check.catch((err: Error) => void errors.push(err.message));
        if (left) expect(left).toEqual([]);
      }
    } finally {
      stop = true;
      await loop;
      await churn.end();
    }
    // The check proves something only if schemas were dropped while it read.
    expect(churned).toBeGreaterThanOrEqual(20);
    expect(errors).toEqual([]);
  }, 120_000);
});
