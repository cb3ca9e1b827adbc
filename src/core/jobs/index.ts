/**
 * The job queue: the embedded one on SQLite, pg-boss on PostgreSQL (a cluster of workers). Modules register their
 * own job handlers on it in their register functions.
 */
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import { createQueueFor } from './choose.js';

export interface JobsModuleDeps {
  readonly engine: Engine;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly config: Pick<Config, 'jobs' | 'cluster'>;
}

export function registerJobs(deps: JobsModuleDeps) {
  return createQueueFor({ ...deps, logger: deps.logger.child({ module: 'jobs' }) });
}

export { workerIdentity } from './worker-common.js';
