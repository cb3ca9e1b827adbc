import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { sleep, systemClock } from '../../kernel/clock.js';
import { createLogger } from '../../kernel/logger.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../testkit/db.js';
import { until } from '../../../testkit/wait.js';
import { createScheduler, nextSlot, type Scheduler } from './scheduler.js';
import { withStartupLock } from './startup-lock.js';

describe('next slot', () => {
  it('counts whole intervals from the previous slot and skips the ones missed', () => {
    expect(nextSlot(1000, 100, 1000)).toBe(1100);
    expect(nextSlot(1000, 100, 1099)).toBe(1100);
    expect(nextSlot(1000, 100, 1100)).toBe(1200);
    expect(nextSlot(1000, 100, 5555)).toBe(5600);
  });
});

describe.each(ENGINES)('cluster schedules (%s)', (engine) => {
  let tdb: TestDatabase;
  let database: DatabaseHandle;
  const logger = createLogger({ level: 'silent' });

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    database = openDatabase(tdb.target);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
  });

  it('three workers ticking often still run each slot of a schedule exactly once', async () => {
    const INTERVAL = 300;
    const runs: { at: number; by: string }[] = [];
    const workers: Scheduler[] = ['a', 'b', 'c'].map((name) => {
      const s = createScheduler({ db: database.db, clock: systemClock, logger, tickMs: 20, worker: name });
      s.every('test.every', INTERVAL, async () => void runs.push({ at: Date.now(), by: name }));
      return s;
    });
    const started = Date.now();
    for (const w of workers) w.start();
    await sleep(3000);
    await Promise.all(workers.map((w) => w.stop()));
    const elapsed = Date.now() - started;
    // One run per slot: never more than the slots that began, at most one per slot.
    expect(runs.length).toBeLessThanOrEqual(Math.floor(elapsed / INTERVAL) + 1);
    expect(runs.length).toBeGreaterThanOrEqual(5);
    const row = await database.db
      .selectFrom('cluster_schedules')
      .selectAll()
      .where('name', '=', 'test.every')
      .executeTakeFirstOrThrow();
    expect(row.runs).toBe(runs.length);
    // Each slot starts a whole interval after the one before it, whoever ran it.
    expect(Date.parse(row.next_run_at) - runs[0]!.at).toBeGreaterThanOrEqual((runs.length - 1) * INTERVAL);
  });

  it('a run still going in one process is not started again there, and other names do not wait for it', async () => {
    const s = createScheduler({ db: database.db, clock: systemClock, logger, tickMs: 20, worker: 'solo' });
    let slow = 0;
    let quick = 0;
    s.every('test.slow', 50, async () => {
      slow++;
      await sleep(600);
    });
    s.every('test.quick', 50, async () => void quick++);
    s.start();
    await sleep(500);
    await s.stop();
    expect(slow).toBe(1);
    expect(quick).toBeGreaterThan(3);
  });

  it('a schedule whose row is removed while it runs is written again and keeps running', async () => {
    const runs: number[] = [];
    const s = createScheduler({ db: database.db, clock: systemClock, logger, tickMs: 20, worker: 'a' });
    s.every('test.removed', 100, async () => void runs.push(Date.now()));
    s.start();
    try {
      await until('a first run', () => runs.length >= 1);
      await database.db.deleteFrom('cluster_schedules').where('name', '=', 'test.removed').execute();
      const after = runs.length;
      await until('runs after the row was removed', () => runs.length >= after + 2);
      const row = await database.db
        .selectFrom('cluster_schedules')
        .selectAll()
        .where('name', '=', 'test.removed')
        .executeTakeFirst();
      expect(row?.runs).toBeGreaterThanOrEqual(1);
    } finally {
      await s.stop();
    }
  });

  it('nodes starting together take turns at first-start work', async () => {
    const handles = [database, openDatabase(tdb.target), openDatabase(tdb.target)];
    let inside = 0;
    let most = 0;
    await Promise.all(
      handles.map((h) =>
        withStartupLock(h, async () => {
          most = Math.max(most, ++inside);
          await sleep(100);
          inside--;
        }),
      ),
    );
    await Promise.all(handles.slice(1).map((h) => h.close()));
    // SQLite is one process, one node: nothing to take turns with.
    expect(most).toBe(engine === 'postgres' ? 1 : 3);
  });
});
