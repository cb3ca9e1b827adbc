/**
 * Self-discovery: a server is discovered as soon as it is ready (the `serverReady` hook), then on the
 * organisation's schedules; each snapshot runs the `snapshotTaken` hook.
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Hooks } from '../hooks.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createDiscoveryService } from './discovery.service.js';

import type { AutomationStanding } from '../standing.js';
export interface DiscoveryModuleDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'auditHash' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById'>;
  readonly tasks: Pick<TasksService, 'defineKind' | 'startKindRun'>;
  readonly hooks: Hooks;
  /** Schedules of a suspended organisation keep their settings but do not run (trust). */
  readonly standing?: Pick<AutomationStanding, 'suspendedAmong'>;
}

export function registerDiscovery(deps: DiscoveryModuleDeps) {
  const discovery = createDiscoveryService({ ...deps, logger: deps.logger.child({ module: 'discovery' }) });
  // A server that just became ready is discovered at once, under the instruction that added it.
  deps.hooks.on(
    'serverReady',
    async (server, instruction) =>
      void (await discovery.discover(server.org_id, { serverIds: [server.id] }, instruction, {})),
  );
  return discovery;
}

export { DISCOVERED_SECRETS_SEALED } from './discovery.store.js';
