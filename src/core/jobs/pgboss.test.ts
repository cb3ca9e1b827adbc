import PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../db/database.js';
import { migrateToLatest } from '../../db/migrate.js';
import { sleep, systemClock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import { createLogger } from '../../kernel/logger.js';
import { createTestDatabase, rawQuery, type TestDatabase } from '../../../testkit/db.js';
import { bossDb } from './pgboss.sql.js';
import { createPgBossQueue } from './pgboss.js';
import { WorkerStopping, type JobContext, type Queue } from './queue.js';
import { createJobSlots } from './slots.js';

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** pg-boss behind the Queue port, on real PostgreSQL (each test database has its own queue schema). */
describe('pg-boss queue', () => {
  let tdb: TestDatabase;
  let database: DatabaseHandle;
  const audits: { action: string; details?: unknown }[] = [];
  const logger = createLogger({ level: 'silent' });
  const queues: Queue[] = [];
  const schema = () => tdb.env.STEWARD_JOBS_SCHEMA!;

  beforeAll(async () => {
    tdb = await createTestDatabase('postgres');
    database = openDatabase(tdb.target);
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    await database?.close();
    await tdb?.drop();
  });

  function makeQueue(leaseMs = 2000): Queue {
    const q = createPgBossQueue({
      db: database.db,
      clock: systemClock,
      logger,
      audit: { recordAlone: async (e) => (audits.push(e), {} as never) },
      schema: schema(),
      pollMs: 100,
      concurrency: 4,
      leaseMs,
      slots: createJobSlots({ db: database.db, clock: systemClock, leaseMs }),
    });
    queues.push(q);
    return q;
  }
  const rows = async (queue: string) => rawQuery(tdb, `SELECT id, state FROM ${schema()}.job WHERE name = $1`, [queue]);

  it('enqueues in the caller’s transaction: a rolled-back change leaves no job, a committed one runs once', async () => {
    const q = makeQueue();
    const seen: unknown[] = [];
    q.register('t.commit', async (job) => void seen.push(job.payload.n));
    await q.prepare();
    // 1. Rolled back: the job row never becomes visible.
    await expect(
      database.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('cluster_schedules')
          .values({ name: 'marker', interval_ms: 1, next_run_at: 'x', last_run_at: null, last_run_by: null, runs: 0 })
          .execute();
        await q.enqueue(trx, { queue: 't.commit', payload: { n: 1 } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await rows('t.commit')).toEqual([]);
    expect(await database.db.selectFrom('cluster_schedules').selectAll().execute()).toEqual([]);
    // 2. Uncommitted: a worker cannot see it yet; committed: it runs exactly once.
    q.start();
    await database.db.transaction().execute(async (trx) => {
      await q.enqueue(trx, { queue: 't.commit', payload: { n: 2 } });
      await sleep(400);
      expect(seen).toEqual([]);
    });
    await until(() => seen.length === 1, 'the committed job');
    await sleep(300);
    expect(seen).toEqual([2]);
    // 3. Payload checks still apply, before anything is written.
    await expect(q.enqueue(database.db, { queue: 't.commit', payload: { password: 'Hunter2!' } })).rejects.toThrow(
      /payload field password/,
    );
    expect(await rows('t.commit')).toHaveLength(1);
  });

  it('shows queued, running and failed jobs through list and get, per organisation', async () => {
    const q = makeQueue();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    q.register('t.slow', async () => gate);
    q.register('t.fail', async () => {
      // A coded error about the customer's own resources keeps its words in the job's reason.
      throw new AppError('STEWARD_PROVIDER_UNAVAILABLE', 'remote host said no');
    });
    await q.prepare();
    const slow = await q.enqueue(database.db, {
      queue: 't.slow',
      payload: {},
      orgId: 'org_00000000000000000000000000',
    });
    expect(await q.get(slow)).toMatchObject({
      id: slow,
      queue: 't.slow',
      status: 'queued',
      attempts: 0,
      maxAttempts: 5,
      orgId: 'org_00000000000000000000000000',
      finishedAt: null,
    });
    const failing = await q.enqueue(database.db, { queue: 't.fail', payload: { n: 1 }, maxAttempts: 2 });
    q.start();
    await until(async () => (await q.get(slow))?.status === 'running', 'the slow job to run');
    expect(
      (await q.list({ status: 'running', orgId: 'org_00000000000000000000000000', limit: 10 })).map((j) => j.id),
    ).toEqual([slow]);
    expect(await q.list({ orgId: 'org_1111111111111111111111111a', limit: 10 })).toEqual([]);
    // Two attempts (backoff of 1-2 s between), then failed with the reason, and audited once.
    await until(async () => (await q.get(failing))?.status === 'failed', 'the failing job to give up', 30_000);
    expect(await q.get(failing)).toMatchObject({
      status: 'failed',
      attempts: 2,
      maxAttempts: 2,
      lastError: 'remote host said no',
    });
    expect((await q.list({ status: 'failed', limit: 10 })).map((j) => j.id)).toContain(failing);
    expect(audits.filter((a) => a.action === 'job.failed')).toHaveLength(1);
    release();
    await until(async () => (await q.get(slow))?.status === 'done', 'the slow job to finish');
    expect(await q.counts()).toMatchObject({ done: expect.any(Number), failed: 1 });
    expect(await q.get('not-a-uuid')).toBeUndefined();
    expect(await q.get('00000000-0000-4000-8000-000000000000')).toBeUndefined();
  });

  it('a job whose worker died is taken over by another after the lease', async () => {
    const q = makeQueue(2000);
    const ran: JobContext[] = [];
    q.register('t.takeover', async (job) => void ran.push(job));
    await q.prepare();
    const id = await q.enqueue(database.db, { queue: 't.takeover', payload: {} });
    // 1. A worker claims the job and dies without a word: no renewal, no completion.
    const dead = new PgBoss({
      db: bossDb(database.db),
      schema: schema(),
      supervise: false,
      schedule: false,
      migrate: false,
    });
    await dead.start();
    expect(await dead.fetch('t.takeover')).toHaveLength(1);
    expect((await q.get(id))?.status).toBe('running');
    // 2. A live worker returns it to the queue once the lease lapses, and runs it: attempt 2.
    const started = Date.now();
    q.start();
    await until(() => ran.length === 1, 'the takeover');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(ran[0]!.attempt).toBe(2);
    await until(async () => (await q.get(id))?.status === 'done', 'done');
    await dead.stop({ graceful: false, close: false });
  });

  it('a running job keeps its lease while its worker lives, however long it takes', async () => {
    const q = makeQueue(2000);
    let runs = 0;
    q.register('t.long', async () => {
      runs++;
      await sleep(5000);
    });
    await q.prepare();
    const id = await q.enqueue(database.db, { queue: 't.long', payload: {} });
    const other = makeQueue(2000);
    other.register('t.long', async () => void runs++);
    q.start();
    await until(async () => (await q.get(id))?.status === 'running', 'running');
    other.start();
    await until(async () => (await q.get(id))?.status === 'done', 'done', 15_000);
    expect(runs).toBe(1);
    expect((await q.get(id))!.attempts).toBe(1);
  });

  it('caps jobs sharing a key across workers; waiting for a slot spends no attempt', async () => {
    const workers = [makeQueue(), makeQueue()];
    let now = 0;
    let peak = 0;
    const handler = async () => {
      peak = Math.max(peak, ++now);
      await sleep(150);
      now--;
    };
    for (const w of workers)
      w.register('t.capped', handler, { concurrency: 4, limits: () => [{ key: 'org:capped', max: 2 }] });
    await workers[0]!.prepare();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++)
      ids.push(await workers[0]!.enqueue(database.db, { queue: 't.capped', payload: { i } }));
    for (const w of workers) w.start();
    await until(
      async () => (await Promise.all(ids.map((id) => workers[0]!.get(id)))).every((j) => j?.status === 'done'),
      'all capped jobs',
      60_000,
    );
    expect(peak).toBe(2);
    for (const id of ids) expect((await workers[0]!.get(id))!.attempts).toBe(1);
    expect(await database.db.selectFrom('job_slots').selectAll().execute()).toEqual([]);
  });

  it('a stopping worker hands its running jobs back without spending an attempt', async () => {
    const first = makeQueue();
    first.register('t.handback', async (job) => {
      await new Promise((_, reject) => job.signal.addEventListener('abort', () => reject(job.signal.reason)));
    });
    await first.prepare();
    const id = await first.enqueue(database.db, { queue: 't.handback', payload: {}, maxAttempts: 1 });
    first.start();
    await until(async () => (await first.get(id))?.status === 'running', 'running');
    await first.stop({ graceMs: 100 });
    expect(await first.get(id)).toMatchObject({ status: 'queued', attempts: 0 });
    const second = makeQueue();
    const seen: number[] = [];
    second.register('t.handback', async (job) => void seen.push(job.attempt));
    second.start();
    await until(async () => (await second.get(id))?.status === 'done', 'the second worker to finish it');
    expect(seen).toEqual([1]);
    expect(new WorkerStopping()).toBeInstanceOf(Error);
  });
});
