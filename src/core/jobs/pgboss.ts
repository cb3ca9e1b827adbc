import PgBoss from 'pg-boss';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { bossDb, bossSql, viewOf, type BossData, type BossRow } from './pgboss.sql.js';
import { createBossRunner, type Registered } from './pgboss.worker.js';
import { checkPayload, type HandlerOptions, type JobHandler, type JobView, type NewJob, type Queue } from './queue.js';
import type { JobSlots } from './slots.js';
import { workerIdentity } from './worker-common.js';

export interface PgBossQueueDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  /** The PostgreSQL schema pg-boss keeps its tables in (one per Steward installation; one per test). */
  readonly schema: string;
  readonly pollMs: number;
  readonly concurrency: number;
  /** The visibility timeout: a started job not renewed for this long goes back to the queue. */
  readonly leaseMs: number;
  readonly slots?: JobSlots;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
/** pg-boss polls no faster than this; below it a cluster's workers would spend the database on empty polls. */
const MIN_POLL_MS = 100;

/**
 * The job queue on PostgreSQL, for any number of nodes: pg-boss stores, claims (SKIP LOCKED), retries (exponential
 * backoff from 1 s) and expires jobs. pg-boss runs on Steward's own pool through `bossDb`, and `enqueue` runs its
 * insert on the caller's executor, so a job commits or rolls back with the change that caused it. A job's
 * `data` holds the checked payload, the organisation and the attempt limit. See docs/decisions/0011-cluster.md.
 */
export function createPgBossQueue(deps: PgBossQueueDeps): Queue {
  const boss = new PgBoss({
    db: bossDb(deps.db),
    schema: deps.schema,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (err: Error) => deps.logger.warn({ err: err.message }, 'job queue error'));
  const sql = bossSql(deps.schema);
  const handlers = new Map<string, Registered>();
  const created = new Set<string>();
  const worker = workerIdentity();
  let installed: Promise<unknown> | undefined;
  const runner = createBossRunner({
    boss,
    db: deps.db,
    sql,
    logger: deps.logger,
    audit: deps.audit,
    slots: deps.slots,
    handlers,
    worker,
    pollMs: Math.max(MIN_POLL_MS, deps.pollMs),
    concurrency: deps.concurrency,
    leaseMs: deps.leaseMs,
  });

  const install = async (): Promise<void> => {
    installed ??= boss.start().catch((err: unknown) => {
      installed = undefined;
      throw err;
    });
    await installed;
  };

  let schemaSeen = false;
  /** Whether pg-boss's tables exist yet (an API node may be asked for jobs before any node installed them). */
  const hasSchema = async (): Promise<boolean> => (schemaSeen ||= Boolean(await boss.isInstalled()));
  let wanted = false;
  let starting: Promise<void> | undefined;

  async function prepare(): Promise<void> {
    await install();
    for (const name of handlers.keys()) await ensureQueue(name);
  }

  /** pg-boss keeps one table partition per queue, made on first use by any node (idempotent). */
  async function ensureQueue(name: string): Promise<void> {
    if (created.has(name)) return;
    await install();
    await boss.createQueue(name);
    created.add(name);
  }

  return {
    implementation: 'pg-boss',
    async enqueue(exec: Executor, job: NewJob): Promise<string> {
      checkPayload(job.payload);
      // Made on the pool, outside the caller's transaction, so the DDL commits on its own and the insert below sees it.
      await ensureQueue(job.queue);
      const maxAttempts = job.maxAttempts ?? 5;
      const data: BossData = { payload: job.payload, orgId: job.orgId ?? null, maxAttempts };
      const id = await boss.send(job.queue, data, {
        db: bossDb(exec),
        retryLimit: maxAttempts - 1,
        retryDelay: 1,
        retryBackoff: true,
        expireInSeconds: Math.ceil(deps.leaseMs / 1000),
        ...(job.runAt ? { startAfter: job.runAt } : {}),
      });
      if (!id) throw new AppError('STEWARD_INTERNAL', `The job queue ${job.queue} did not take the job.`);
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
    prepare,
    start(): void {
      wanted = true;
      starting = prepare()
        .then(() => (wanted ? runner.start() : undefined))
        .catch((err: unknown) =>
          deps.logger.error(
            { err: (err as Error).message },
            'the job queue could not start; no jobs will run in this process',
          ),
        );
    },
    async stop(options = {}): Promise<void> {
      wanted = false;
      await starting;
      await runner.stop(options.graceMs ?? 0);
    },
    async list(filter): Promise<JobView[]> {
      if (!(await hasSchema())) return [];
      const q = sql.list(filter);
      const { rows } = await bossDb(deps.db).executeSql(q.text, q.values);
      return (rows as BossRow[]).map(viewOf);
    },
    async counts() {
      if (!(await hasSchema())) return {};
      const { rows } = await bossDb(deps.db).executeSql(sql.counts);
      return Object.fromEntries((rows as { status: string; n: number }[]).map((r) => [r.status, Number(r.n)]));
    },
    async get(id: string): Promise<JobView | undefined> {
      const q = sql.get(id);
      if (!q || !(await hasSchema())) return undefined;
      const { rows } = await bossDb(deps.db).executeSql(q.text, q.values);
      return rows[0] ? viewOf(rows[0] as BossRow) : undefined;
    },
  };
}
