import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { createEmbeddedQueue } from './embedded.js';
import { createPgBossQueue } from './pgboss.js';
import type { Queue } from './queue.js';
import { createJobSlots } from './slots.js';

export interface QueueChoiceDeps {
  readonly engine: Engine;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly config: Pick<Config, 'jobs' | 'cluster'>;
}

/**
 * The queue for the database in use: pg-boss on PostgreSQL (any number of nodes), the embedded runner on SQLite
 * (one node). Both take the cluster-wide caps from the same semaphore table and hold running jobs under the
 * same lease.
 */
export function createQueueFor(deps: QueueChoiceDeps): Queue {
  const { engine, db, clock, logger, audit, config } = deps;
  const slots = createJobSlots({ db, clock, leaseMs: config.cluster.leaseMs });
  const common = {
    db,
    clock,
    logger,
    audit,
    slots,
    pollMs: config.jobs.pollMs,
    concurrency: config.jobs.concurrency,
    leaseMs: config.cluster.leaseMs,
  };
  return engine === 'postgres'
    ? createPgBossQueue({ ...common, schema: config.cluster.queueSchema })
    : createEmbeddedQueue(common);
}
