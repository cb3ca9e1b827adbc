import { publicMessage } from '../../kernel/errors.js';
import type PgBoss from 'pg-boss';
import type { Db } from '../../db/database.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { attemptsOf, bossDb, type BossData, type BossSql } from './pgboss.sql.js';
import { LeaseLost, WorkerStopping, type HandlerOptions, type JobHandler } from './queue.js';
import type { JobSlots } from './slots.js';
import { deferMs, settleWithin } from './worker-common.js';

export interface Registered {
  readonly handler: JobHandler;
  readonly timeoutMs: number;
  readonly concurrency: number | undefined;
  readonly limits: HandlerOptions['limits'];
}

export interface BossRunnerDeps {
  readonly boss: PgBoss;
  readonly db: Db;
  readonly sql: BossSql;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly slots: JobSlots | undefined;
  readonly handlers: ReadonlyMap<string, Registered>;
  readonly worker: string;
  readonly pollMs: number;
  readonly concurrency: number;
  readonly leaseMs: number;
}

interface Running {
  readonly queue: string;
  readonly id: string;
  readonly retryCount: number;
  readonly holder: string;
  readonly controller: AbortController;
  promise?: Promise<void>;
}

/** pg-boss's own maintenance (archive finished jobs, drop old archives) runs this often per worker. */
const MAINTENANCE_MS = 5 * 60_000;

/**
 * The worker side of the pg-boss queue: one poll loop for every registered queue (one query finds the queues with
 * due work, then pg-boss's `fetch` claims up to the free slots of each with SKIP LOCKED), per-job time limits,
 * lease renewal every third of the lease, cap slots, and pg-boss's expiry pass (which returns a dead worker's
 * jobs to the queue) every half lease.
 */
export function createBossRunner(deps: BossRunnerDeps) {
  const { boss, handlers } = deps;
  const running = new Map<string, Running>();
  const timers: NodeJS.Timeout[] = [];
  /** When leases were last renewed, to say in the log how late a renewal was when a lease was lost. */
  let renewedAt = Date.now();
  let stopping = true;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  const activeIn = (queue: string) => [...running.values()].filter((r) => r.queue === queue).length;
  const sharedActive = () =>
    [...running.values()].filter((r) => handlers.get(r.queue)!.concurrency === undefined).length;
  const room = (queue: string) => {
    const own = handlers.get(queue)!.concurrency;
    return own === undefined ? deps.concurrency - sharedActive() : own - activeIn(queue);
  };

  async function handBack(r: Running, delayMs: number, demote: boolean): Promise<void> {
    await bossDb(deps.db).executeSql(deps.sql.handBack, [r.queue, r.id, delayMs, r.retryCount, demote ? 1 : 0]);
  }

  async function runJob(r: Running, job: PgBoss.JobWithMetadata<BossData>): Promise<void> {
    const { handler, timeoutMs, limits } = handlers.get(r.queue)!;
    const data = job.data;
    const attempt = attemptsOf({ retryCount: job.retryCount, started: true });
    const caps = limits && deps.slots ? limits({ queue: r.queue, payload: data.payload, orgId: data.orgId }) : [];
    if (caps.length > 0 && !(await deps.slots!.acquire(caps, r.holder))) return handBack(r, deferMs(), true);
    const timeout = setTimeout(() => r.controller.abort(new Error('job time limit reached')), timeoutMs);
    let error: unknown;
    try {
      await handler({
        id: r.id,
        queue: r.queue,
        payload: data.payload,
        orgId: data.orgId,
        attempt,
        signal: r.controller.signal,
        worker: deps.worker,
      });
    } catch (err) {
      error = err ?? new Error('job failed');
      if (!(err instanceof WorkerStopping))
        deps.logger.warn({ job: r.id, queue: r.queue, attempt, err: (err as Error)?.message }, 'job attempt failed');
    } finally {
      clearTimeout(timeout);
      if (caps.length > 0) await deps.slots!.release(r.holder).catch(() => undefined);
    }
    // Another worker may hold this job now; its outcome is that worker's to record.
    if (r.controller.signal.reason instanceof LeaseLost) return;
    if (error instanceof WorkerStopping) return handBack(r, 0, false);
    if (error === undefined) {
      await boss.complete(r.queue, r.id);
      return;
    }
    await boss.fail(r.queue, r.id, { message: publicMessage(error).slice(0, 500) });
    if (attempt >= data.maxAttempts) {
      await deps.audit
        .recordAlone({
          action: 'job.failed',
          orgId: data.orgId,
          actor: { type: 'system' },
          target: { type: 'job', id: r.id },
          result: 'failed',
          details: { queue: r.queue, attempts: attempt },
        })
        .catch(() => undefined);
    }
  }

  function launch(queue: string, job: PgBoss.JobWithMetadata<BossData>): void {
    const r: Running = {
      queue,
      id: job.id,
      retryCount: job.retryCount,
      holder: `${deps.worker}#${job.id}:${job.retryCount}`,
      controller: new AbortController(),
    };
    running.set(job.id, r);
    r.promise = runJob(r, job)
      .catch((err) =>
        deps.logger.error({ job: job.id, queue, err: (err as Error).message }, 'could not record job result'),
      )
      .finally(() => {
        running.delete(job.id);
        wake?.();
      });
  }

  async function poll(): Promise<number> {
    const names = [...handlers.keys()].filter((q) => room(q) > 0);
    if (names.length === 0) return 0;
    const { rows } = await bossDb(deps.db).executeSql(deps.sql.due, [names]);
    let fetched = 0;
    for (const { name } of rows as { name: string }[]) {
      const free = room(name);
      if (free <= 0 || stopping) continue;
      const jobs = await boss.fetch<BossData>(name, { batchSize: free, includeMetadata: true });
      for (const job of jobs) launch(name, job);
      fetched += jobs.length;
    }
    return fetched;
  }

  async function pollLoop(): Promise<void> {
    while (!stopping) {
      let fetched = 0;
      try {
        fetched = await poll();
      } catch (err) {
        deps.logger.error({ err: (err as Error).message }, 'job poll failed');
      }
      if (fetched > 0 || stopping) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deps.pollMs);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = undefined;
    }
  }

  /** Renews leases (and cap slots) of the jobs this worker holds; a job no longer held is aborted. */
  async function renew(): Promise<void> {
    const byQueue = new Map<string, Running[]>();
    for (const r of running.values()) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
    for (const [queue, list] of byQueue) {
      const { rows } = await bossDb(deps.db).executeSql(deps.sql.renew, [
        queue,
        list.map((r) => r.id),
        deps.leaseMs,
        list.map((r) => r.retryCount),
      ]);
      const held = new Set((rows as { id: string }[]).map((row) => row.id));
      for (const r of list) {
        if (held.has(r.id) || r.controller.signal.aborted) continue;
        deps.logger.warn(
          { job: r.id, queue, sinceRenewalMs: Date.now() - renewedAt, leaseMs: deps.leaseMs },
          'job lease lost (this worker renewed too late: event loop or database too slow); stopping it here',
        );
        r.controller.abort(new LeaseLost());
      }
    }
    await deps.slots?.renew([...running.values()].map((r) => r.holder));
    renewedAt = Date.now();
  }

  const every = (ms: number, what: string, fn: () => Promise<unknown>) =>
    timers.push(
      setInterval(
        () => void fn().catch((err: unknown) => deps.logger.warn({ err: (err as Error).message }, `${what} failed`)),
        ms,
      ),
    );

  return {
    start(): void {
      if (!stopping) return;
      stopping = false;
      loop = pollLoop();
      every(Math.max(200, Math.floor(deps.leaseMs / 3)), 'job lease renewal', renew);
      // Any worker may return an expired job (its holder died) to the queue; pg-boss serialises this with a lock.
      every(Math.max(500, Math.floor(deps.leaseMs / 2)), 'job expiry pass', async () => {
        await bossDb(deps.db).executeSql(deps.sql.expire, []);
        await boss.expire();
      });
      every(MAINTENANCE_MS, 'job queue maintenance', () => boss.maintain());
    },
    async stop(graceMs: number): Promise<void> {
      stopping = true;
      wake?.();
      await loop;
      const inFlight = () => [...running.values()].map((r) => r.promise!);
      await settleWithin(inFlight(), graceMs);
      for (const r of running.values()) r.controller.abort(new WorkerStopping());
      await Promise.allSettled(inFlight());
      for (const t of timers.splice(0)) clearInterval(t);
    },
  };
}
