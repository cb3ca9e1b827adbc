import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { ProvisioningConfig } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import { TokenBucketLimiter } from '../../providers/index.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Queue } from '../jobs/queue.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { OrgKeys, ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createAccountsService } from './accounts.service.js';
import { createDriverFactory } from './drivers.js';
import { createInstancesService } from './instances.service.js';
import { createLaunchesService, LAUNCH_QUEUE } from './launches.service.js';
import { createSyncService, SYNC_QUEUE, type InstanceChange } from './sync.service.js';

export { PROVIDER_ACCOUNTS_SEALED } from './provisioning.store.js';
export type * from './provisioning.types.js';
export type { InstanceChange } from './sync.service.js';

export interface ProvisioningDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: ProvisioningConfig;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly ledger: Pick<LedgerService, 'record'>;
  readonly queue: Queue;
  readonly servers: Pick<ServersService, 'adoptServer' | 'allRows' | 'rowById' | 'removeServer'>;
  readonly orgKeys: Pick<OrgKeys, 'publicKey'>;
  /** Where the status sync reports state and address changes of instances that have servers (optional). */
  readonly onInstanceChange?: (change: InstanceChange) => Promise<void>;
}

/**
 * Provider accounts, instances, launches and the status sync, wired together; registers the launch and sync
 * jobs on the queue. One rate limiter keyed by organisation paces every driver these services build.
 */
export function registerProvisioning(deps: ProvisioningDeps) {
  const { db, clock, logger, config, audit, orgs, queue } = deps;
  // Real time, not the injected clock: this paces real requests.
  const limiter = new TokenBucketLimiter({ ratePerSecond: config.ratePerSecond, burst: config.burst });
  const drivers = createDriverFactory({ vault: deps.vault, ledger: deps.ledger, config, limiter });
  const sync = createSyncService({
    db,
    clock,
    logger,
    config,
    audit,
    queue,
    drivers,
    servers: deps.servers,
    ...(deps.onInstanceChange ? { onInstanceChange: deps.onInstanceChange } : {}),
  });
  const accounts = createAccountsService({
    db,
    clock,
    config,
    vault: deps.vault,
    audit,
    orgs,
    servers: deps.servers,
    drivers,
    schedule: { needed: sync.scheduleNeeded, start: sync.startSchedule },
  });
  const instances = createInstancesService({ db, clock, audit, orgs, servers: deps.servers, accounts, drivers });
  const launches = createLaunchesService({
    db,
    clock,
    logger,
    config,
    audit,
    orgs,
    queue,
    servers: deps.servers,
    orgKeys: deps.orgKeys,
    accounts,
    drivers,
  });

  queue.register(LAUNCH_QUEUE, (job) => launches.launchJob(job), { timeoutMs: config.launchTimeoutMs + 5 * 60_000 });
  queue.register(SYNC_QUEUE, (job) => sync.syncJob(job), { timeoutMs: 15 * 60_000 });

  return { accounts, instances, launches, sync, limiter };
}

export type Provisioning = ReturnType<typeof registerProvisioning>;
