import { publicMessage } from '../../kernel/errors.js';
import type { Db, Executor } from '../../db/database.js';
import type { JobsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import {
  backoffMs,
  checkPayload,
  WorkerStopping,
  type HandlerOptions,
  type JobHandler,
  type JobView,
  type NewJob,
  type Queue,
} from './queue.js';
import type { JobSlots } from './slots.js';
import { deferMs, settleWithin, workerIdentity } from './worker-common.js';

export interface EmbeddedQueueDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly pollMs: number;
  readonly concurrency: number;
  /**
   * How long a claim lasts unless its worker renews it (every third of it). Unset: a claim lasts the handler's
   * time limit and is not renewed.
   */
  readonly leaseMs?: number;
  /** Enforces handlers' `limits`; without it they are not enforced. */
  readonly slots?: JobSlots;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/**
 * With nothing running and this many polls in a row that found nothing, the runner looks less often, each time
 * twice as far apart up to IDLE_POLL_MAX_MS; a job enqueued in this process brings it back to `pollMs` at once.
 */
const IDLE_AFTER_POLLS = 10;
const IDLE_POLL_MAX_MS = 2_000;

const toView = (r: JobsTable): JobView => ({
  id: r.id,
  queue: r.queue,
  orgId: r.org_id,
  status: r.status,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAt: r.run_at,
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

interface Registered {
  readonly handler: JobHandler;
  readonly timeoutMs: number;
  readonly concurrency: number | undefined;
  readonly limits: HandlerOptions['limits'];
}

/**
 * The job runner that lives in the Steward process, over the `jobs` table. A job is claimed by a conditional
 * update (so two runners never take the same one); a claim lasts a lease the worker renews while the job runs,
 * after which another runner may take it over (a crashed worker's jobs are not lost). Failures retry with backoff
 * up to `maxAttempts`, then the job is marked failed and audited.
 */
export function createEmbeddedQueue(deps: EmbeddedQueueDeps): Queue {
  const handlers = new Map<string, Registered>();
  /** Jobs running per queue; queues without their own limit share `deps.concurrency`. */
  const active = new Map<string, number>();
  const sharedActive = () =>
    [...handlers].filter(([, h]) => h.concurrency === undefined).reduce((n, [q]) => n + (active.get(q) ?? 0), 0);
  const hasRoom = (queue: string): boolean => {
    const limit = handlers.get(queue)!.concurrency;
    return limit === undefined ? sharedActive() < deps.concurrency : (active.get(queue) ?? 0) < limit;
  };
  const workerId = workerIdentity();
  const running = new Map<string, { promise: Promise<void>; controller: AbortController; holder: string }>();
  let timer: NodeJS.Timeout | undefined;
  /** When the pending poll is due (performance.now()); no timer is pending while a poll runs. */
  let timerDueMs = 0;
  /** Polls in a row that claimed nothing while nothing ran. */
  let idlePolls = 0;
  let heartbeat: NodeJS.Timeout | undefined;
  let stopping = false;

  const leaseFor = (queue: string) => deps.leaseMs ?? handlers.get(queue)!.timeoutMs;

  /**
   * Organisations whose caps were full when one of their jobs tried to start here, by queue and organisation: how
   * many more of their jobs may be claimed (each of their jobs that ends here frees a slot, so allows one), and a
   * moment after which the block lapses (slots held by other workers free themselves unseen). Without it, a worker
   * with room would claim, fail and put back the same capped jobs at every poll: a fan-out to 1,000 servers spent
   * most of its time so (the queue has room for 50, an organisation 32).
   */
  const capped = new Map<string, { allowance: number; untilMs: number }>();
  const cappedKey = (queue: string, orgId: string) => `${queue}\u0000${orgId}`;
  const blockOf = (job: JobsTable) => (job.org_id === null ? undefined : capped.get(cappedKey(job.queue, job.org_id)));
  const blockedOrgs = (queue: string): string[] => {
    const now = performance.now();
    const out: string[] = [];
    for (const [key, block] of capped) {
      if (block.untilMs <= now) capped.delete(key);
      else if (block.allowance <= 0 && key.startsWith(`${queue}\u0000`)) out.push(key.slice(queue.length + 1));
    }
    return out;
  };

  async function claim(): Promise<JobsTable | undefined> {
    const now = deps.clock.iso();
    const names = [...handlers.keys()].filter(hasRoom);
    if (names.length === 0) return undefined;
    const blocked = names.map((q) => [q, blockedOrgs(q)] as const).filter(([, orgs]) => orgs.length > 0);
    // Queued jobs that are due, and running ones whose claim lapsed, oldest first. Asked apart, each in the order of
    // the (status, run_at) index, so a long queue is read only as far as the ten taken, not sorted whole.
    const due = (status: 'queued' | 'running') =>
      deps.db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', status)
        .where(status === 'queued' ? 'run_at' : 'locked_until', status === 'queued' ? '<=' : '<', now)
        .where('queue', 'in', names)
        .$if(blocked.length > 0, (qb) =>
          qb.where((eb) =>
            eb.and(
              blocked.map(([q, orgs]) =>
                eb.or([eb('queue', '<>', q), eb('org_id', 'is', null), eb('org_id', 'not in', orgs)]),
              ),
            ),
          ),
        )
        .orderBy('run_at')
        .limit(10)
        .execute();
    const candidates = [...(await due('running')), ...(await due('queued'))]
      .sort((x, y) => (x.run_at < y.run_at ? -1 : x.run_at > y.run_at ? 1 : 0))
      .slice(0, 10);
    for (const job of candidates) {
      const res = await deps.db
        .updateTable('jobs')
        .set({
          status: 'running',
          attempts: job.attempts + 1,
          locked_by: workerId,
          locked_until: new Date(deps.clock.nowMs() + leaseFor(job.queue)).toISOString(),
          updated_at: now,
        })
        .where('id', '=', job.id)
        .where('attempts', '=', job.attempts)
        .where('status', '=', job.status)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 1) {
        const block = blockOf(job);
        if (block) block.allowance--;
        return { ...job, attempts: job.attempts + 1 };
      }
    }
    return undefined;
  }

  /** Back to the queue without counting the attempt: its caps were full, or its worker is stopping. */
  async function putBack(job: JobsTable, delayMs: number): Promise<void> {
    const now = deps.clock.iso();
    await deps.db
      .updateTable('jobs')
      .set({
        status: 'queued',
        attempts: job.attempts - 1,
        run_at: new Date(deps.clock.nowMs() + delayMs).toISOString(),
        updated_at: now,
        locked_until: null,
        locked_by: null,
      })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  async function finish(job: JobsTable, error: unknown): Promise<void> {
    const now = deps.clock.iso();
    if (error === undefined) {
      await deps.db
        .updateTable('jobs')
        .set({ status: 'done', finished_at: now, updated_at: now, locked_until: null, last_error: null })
        .where('id', '=', job.id)
        .where('locked_by', '=', workerId)
        .execute();
      return;
    }
    if (error instanceof WorkerStopping) return putBack(job, 0);
    // Shown to the organisation's members: Steward's own failures are summarised, their detail stays in the log.
    const message = publicMessage(error).slice(0, 500);
    if (job.attempts < job.max_attempts) {
      const runAt = new Date(deps.clock.nowMs() + backoffMs(job.attempts)).toISOString();
      await deps.db
        .updateTable('jobs')
        .set({
          status: 'queued',
          run_at: runAt,
          last_error: message,
          updated_at: now,
          locked_until: null,
          locked_by: null,
        })
        .where('id', '=', job.id)
        .where('locked_by', '=', workerId)
        .execute();
      return;
    }
    await deps.db
      .updateTable('jobs')
      .set({ status: 'failed', last_error: message, finished_at: now, updated_at: now, locked_until: null })
      .where('id', '=', job.id)
      .where('locked_by', '=', workerId)
      .execute();
    await deps.audit
      .recordAlone({
        action: 'job.failed',
        orgId: job.org_id,
        actor: { type: 'system' },
        target: { type: 'job', id: job.id },
        result: 'failed',
        details: { queue: job.queue, attempts: job.attempts },
      })
      .catch(() => undefined);
  }

  async function runOne(job: JobsTable, controller: AbortController, holder: string): Promise<void> {
    const { handler, timeoutMs, limits } = handlers.get(job.queue)!;
    const payload = JSON.parse(job.payload);
    const caps = limits && deps.slots ? limits({ queue: job.queue, payload, orgId: job.org_id }) : [];
    if (caps.length > 0 && !(await deps.slots!.acquire(caps, holder))) {
      const delay = deferMs();
      if (job.org_id !== null)
        capped.set(cappedKey(job.queue, job.org_id), { allowance: 0, untilMs: performance.now() + delay });
      await putBack(job, delay);
      return;
    }
    const timeout = setTimeout(() => controller.abort(new Error('job time limit reached')), timeoutMs);
    let error: unknown;
    try {
      await handler({
        id: job.id,
        queue: job.queue,
        payload,
        orgId: job.org_id,
        attempt: job.attempts,
        signal: controller.signal,
        worker: workerId,
      });
    } catch (err) {
      error = err ?? new Error('job failed');
      if (!(err instanceof WorkerStopping))
        deps.logger.warn(
          { job: job.id, queue: job.queue, attempt: job.attempts, err: (err as Error)?.message },
          'job attempt failed',
        );
    } finally {
      clearTimeout(timeout);
      if (caps.length > 0) await deps.slots!.release(holder).catch(() => undefined);
      // Its slots are free: one more of its organisation's jobs may be claimed here.
      const block = blockOf(job);
      if (block) block.allowance++;
    }
    await finish(job, error).catch((err) =>
      deps.logger.error({ job: job.id, err: (err as Error).message }, 'could not record job result'),
    );
  }

  async function tick(): Promise<void> {
    let claimed = 0;
    while (!stopping) {
      const job = await claim();
      if (!job) break;
      claimed++;
      active.set(job.queue, (active.get(job.queue) ?? 0) + 1);
      const controller = new AbortController();
      const holder = `${workerId}#${job.id}:${job.attempts}`;
      const promise = runOne(job, controller, holder)
        .catch((err) => deps.logger.error({ job: job.id, err: (err as Error).message }, 'job run failed'))
        .finally(() => {
          running.delete(job.id);
          active.set(job.queue, (active.get(job.queue) ?? 1) - 1);
        });
      running.set(job.id, { promise, controller, holder });
    }
    idlePolls = claimed > 0 || running.size > 0 ? 0 : idlePolls + 1;
  }

  const nextDelay = (): number =>
    idlePolls < IDLE_AFTER_POLLS
      ? deps.pollMs
      : Math.min(IDLE_POLL_MAX_MS, deps.pollMs * 2 ** Math.min(8, idlePolls - IDLE_AFTER_POLLS + 1));

  /** Renews the claims (and cap slots) of running jobs, so only a dead worker's jobs are taken over. */
  async function renew(): Promise<void> {
    if (deps.leaseMs === undefined || running.size === 0) return;
    await deps.db
      .updateTable('jobs')
      .set({ locked_until: new Date(deps.clock.nowMs() + deps.leaseMs).toISOString() })
      .where('id', 'in', [...running.keys()])
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .execute();
    await deps.slots?.renew([...running.values()].map((r) => r.holder));
  }

  function schedule(delay = nextDelay()): void {
    if (stopping) return;
    clearTimeout(timer);
    timerDueMs = performance.now() + delay;
    timer = setTimeout(() => {
      timer = undefined;
      tick()
        .catch((err) => deps.logger.error({ err: (err as Error).message }, 'job poll failed'))
        .finally(() => schedule());
    }, delay);
  }

  /** A job was enqueued here: the next poll is at most `pollMs` away (after the enqueuing transaction commits). */
  function wake(): void {
    idlePolls = 0;
    if (timer !== undefined && timerDueMs - performance.now() > deps.pollMs) schedule(deps.pollMs);
  }

  return {
    implementation: 'embedded',
    async enqueue(exec: Executor, job: NewJob): Promise<string> {
      checkPayload(job.payload);
      const now = deps.clock.iso();
      const id = newId('job', deps.clock.nowMs());
      await exec
        .insertInto('jobs')
        .values({
          id,
          queue: job.queue,
          payload: JSON.stringify(job.payload),
          org_id: job.orgId ?? null,
          status: 'queued',
          attempts: 0,
          max_attempts: job.maxAttempts ?? 5,
          run_at: (job.runAt ?? deps.clock.now()).toISOString(),
          locked_until: null,
          locked_by: null,
          last_error: null,
          created_at: now,
          updated_at: now,
          finished_at: null,
        })
        .execute();
      wake();
      return id;
    },
    register(queue: string, handler: JobHandler, options: HandlerOptions = {}): void {
      handlers.set(queue, {
        handler,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        concurrency: options.concurrency,
        limits: options.limits,
      });
    },
    async prepare(): Promise<void> {
      // The jobs table comes with the migrations; nothing else to make.
    },
    start(): void {
      stopping = false;
      schedule();
      if (deps.leaseMs !== undefined) {
        heartbeat ??= setInterval(
          () =>
            void renew().catch((err) =>
              deps.logger.warn({ err: (err as Error).message }, 'could not renew job leases'),
            ),
          Math.max(200, Math.floor(deps.leaseMs / 3)),
        );
      }
    },
    async stop(options = {}): Promise<void> {
      stopping = true;
      clearTimeout(timer);
      await settleWithin(
        [...running.values()].map((r) => r.promise),
        options.graceMs ?? 0,
      );
      for (const r of running.values()) r.controller.abort(new WorkerStopping());
      await Promise.allSettled([...running.values()].map((r) => r.promise));
      clearInterval(heartbeat);
      heartbeat = undefined;
    },
    async list(filter) {
      let q = deps.db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(filter.limit);
      if (filter.status) q = q.where('status', '=', filter.status);
      if (filter.orgId) q = q.where('org_id', '=', filter.orgId);
      return (await q.execute()).map(toView);
    },
    async get(id: string) {
      const row = await deps.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toView(row) : undefined;
    },
    async counts() {
      const rows = await deps.db
        .selectFrom('jobs')
        .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('status')
        .execute();
      return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    },
  };
}
