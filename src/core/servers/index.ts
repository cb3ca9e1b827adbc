/**
 * Servers and the one way the core reaches them over SSH: the organisation's own key pair, the server gateway
 * (every login recorded in the ledger, after the `beforeLogin` hook allowed it), and the servers service with its
 * enrolment and release jobs (a server that becomes ready runs the `serverReady` hook).
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { HookRunner } from '../hooks.js';
import type { Queue } from '../jobs/queue.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createServerGateway, type ServerGateway } from './gateway.js';
import { createOrgKeys, createServersService } from './servers.service.js';

export interface ServersModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'ssh' | 'monitoring'>;
  readonly vault: Vault;
  readonly audit: AuditService;
  readonly orgs: OrgsService;
  readonly alerts: AlertsService;
  readonly ledger: LedgerService;
  readonly queue: Queue;
  readonly hooks: HookRunner;
}

export function registerServers(deps: ServersModuleDeps) {
  const { db, clock, logger, config, vault, audit, queue, hooks } = deps;
  const orgKeys = createOrgKeys({ db, clock, vault });
  // Made on first use, so a process that never reaches a server (most CLI commands) builds no SSH machinery.
  let made: ServerGateway | undefined;
  const gateway = (): ServerGateway =>
    (made ??= createServerGateway({
      db,
      clock,
      logger: logger.child({ module: 'ssh' }),
      vault,
      ledger: deps.ledger,
      audit,
      alerts: deps.alerts,
      orgKey: orgKeys.privateKey,
      hooks,
      keptIdleMs: config.monitoring.loginIdleMs, // monitoring: one kept login per sampled server
      executorOptions: {
        logger: logger.child({ module: 'ssh' }),
        maxConcurrency: config.ssh.maxConcurrency,
        connectTimeoutMs: config.ssh.connectTimeoutMs,
        commandTimeoutMs: config.ssh.commandTimeoutMs,
        addressPolicy: config.ssh.addressPolicy, // every connection to a customer's server is checked
      },
    }));
  const servers = createServersService({
    db,
    clock,
    logger,
    vault,
    audit,
    orgs: deps.orgs,
    alerts: deps.alerts,
    queue,
    gateway,
    addressPolicy: config.ssh.addressPolicy,
    hooks,
  });
  queue.register('servers.enrol', (job) => servers.enrol(job, orgKeys.publicKey), { timeoutMs: 5 * 60_000 });
  queue.register('servers.release', (job) => servers.release(job, orgKeys.publicKey), { timeoutMs: 5 * 60_000 });
  return { orgKeys, gateway, servers, closeGateway: async () => made?.close() };
}

export { ORG_KEYS_SEALED, SERVERS_SEALED } from './servers.store.js';
export { createServersUsage } from './servers.usage.js';
