/**
 * Work on servers: commands and recipes, one job per server run on the `tasks.host` queue, with caps per
 * organisation and per server that hold across every worker (docs/decisions/0011-cluster.md).
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Queue } from '../jobs/queue.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { AutomationStanding } from '../standing.js';
import { createTasksService } from './tasks.service.js';

export interface TasksModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'ssh' | 'cluster'>;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly queue: Queue;
  readonly servers: Pick<ServersService, 'rowsFor' | 'allRows' | 'rowById'>;
  readonly gateway: () => ServerGateway;
  readonly orgPublicKey: (orgId: string) => Promise<{ publicKey: string }>;
  /** No task starts for a suspended organisation (trust). */
  readonly standing?: AutomationStanding;
}

export function registerTasks(deps: TasksModuleDeps) {
  const { config, ...rest } = deps;
  const tasks = createTasksService(rest);
  deps.queue.register(tasks.HOST_QUEUE, (job) => tasks.runHost(job), {
    timeoutMs: 65 * 60_000,
    concurrency: config.ssh.maxConcurrency,
    limits: (job) => tasks.hostLimits(job, config.cluster),
  });
  return tasks;
}

export { SERVER_SECRETS_SEALED } from './tasks.store.js';
