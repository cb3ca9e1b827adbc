import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { HookSubscriber } from '../hooks.js';
import type { Instruction } from '../instruction.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersService } from '../servers/servers.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createAccessMail } from './access.mail.js';
import { createCaService } from './ca/ca.service.js';
import type { IncidentFacts } from './access.types.js';
import { createGrantsService } from './grants.service.js';
import { createStaffActionsService, type GrantedInstanceChange } from './staff-actions.service.js';
import { createSupportService } from './support.service.js';
import { createRecordingsService } from './terminal/recordings.service.js';
import { createTerminalService } from './terminal/terminal.service.js';
import { createTimelineService } from './timeline.service.js';

export { ORG_CA_KEYS_SEALED, SUPPORT_MESSAGES_SEALED } from './access.store.js';
export { TERMINAL_CHUNKS_SEALED } from './terminal.store.js';
export type * from './access.types.js';
export type { TerminalIo, LiveTerminal, OpenTerminal } from './terminal/terminal.service.js';
export { GRANT_ACTIONS, GRANT_REASONS, GRANT_STATES } from './access.types.js';
export { TIMELINE_KINDS } from './timeline.service.js';

export interface AccessDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'access' | 'publicUrl'>;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone' | 'list'>;
  readonly notify?: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'ownerIds' | 'namesOf'>;
  readonly users: Pick<UsersService, 'profiles' | 'verifyStepUp'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById' | 'rowsFor'>;
  readonly gateway: () => Pick<ServerGateway, 'withServer' | 'openShell'>;
  readonly tasks: Pick<TasksService, 'startCommand' | 'startRecipe' | 'runUnderGrant'>;
  readonly discovery: Pick<DiscoveryService, 'underGrant'>;
  readonly credentials: Pick<CredentialsService, 'openCredential' | 'getCredential' | 'listUnderGrant'>;
  readonly ledger: Pick<LedgerService, 'list'>;
  /** An incident's state and servers (detection's plain read), looked up when a suspicious-activity grant opens. */
  readonly incident: (orgId: string, incidentId: string) => Promise<IncidentFacts | undefined>;
  /** Access subscribes to `beforeLogin`: every SSH login under a staff grant is checked when it happens. */
  readonly hooks: HookSubscriber;
  readonly instances: {
    changeInstanceUnderGrant(change: GrantedInstanceChange): Promise<unknown>;
    accountExists(orgId: string, accountId: string): Promise<boolean>;
    instancesUnderGrant(orgId: string, accountIds: readonly string[], instruction: Instruction): Promise<unknown[]>;
  };
  /** The staff confidentiality undertaking (privacy): checked at every grant check and every SSH login. */
  readonly undertakings?: { hasAcceptedCurrent(staffId: string): Promise<boolean> };
}

/**
 * Staff access by consent, wired: grants (and `requireActiveGrant`, the one choke point), support requests,
 * staff actions under grants, the recorded web terminal, the per-organisation SSH CA, and the customer's
 * timeline. `grants.guardLogin` runs on the `beforeLogin` hook, so every SSH login under a staff grant (jobs included)
 * is checked against the database at the moment it happens.
 */
export function registerAccess(deps: AccessDeps) {
  const { db, clock, logger } = deps;
  const mail = createAccessMail({
    ...(deps.notify ? { notify: deps.notify } : {}),
    orgs: deps.orgs,
    users: deps.users,
    publicUrl: deps.config.publicUrl,
  });
  const grants = createGrantsService({
    db,
    clock,
    logger,
    audit: deps.audit,
    orgs: deps.orgs,
    users: deps.users,
    servers: deps.servers,
    accountExists: deps.instances.accountExists,
    incident: deps.incident,
    mail,
    ...(deps.undertakings ? { undertakings: deps.undertakings } : {}),
  });
  const support = createSupportService({
    db,
    clock,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    users: deps.users,
    grants,
    mail,
  });
  const staff = createStaffActionsService({
    db,
    audit: deps.audit,
    vault: deps.vault,
    grants,
    users: deps.users,
    servers: deps.servers,
    tasks: deps.tasks,
    discovery: deps.discovery,
    credentials: deps.credentials,
    changeInstance: (change) => deps.instances.changeInstanceUnderGrant(change),
    listInstances: (orgId, accountIds, instruction) =>
      deps.instances.instancesUnderGrant(orgId, accountIds, instruction),
  });
  const terminal = createTerminalService({
    db,
    clock,
    logger,
    vault: deps.vault,
    audit: deps.audit,
    servers: deps.servers,
    grants,
    gateway: deps.gateway,
    config: deps.config.access,
  });
  const recordings = createRecordingsService({
    db,
    clock,
    logger,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    staleSessionMs: deps.config.access.staleSessionMs,
  });
  const ca = createCaService({
    db,
    clock,
    vault: deps.vault,
    audit: deps.audit,
    grants,
    users: deps.users,
    servers: deps.servers,
    gateway: deps.gateway,
  });
  const timeline = createTimelineService({
    db,
    audit: deps.audit,
    ledger: deps.ledger,
    orgs: deps.orgs,
    users: deps.users,
  });

  deps.hooks.on('beforeLogin', grants.guardLogin);

  return {
    grants,
    support,
    staff,
    terminal,
    recordings,
    ca,
    timeline,
    /** The choke point every staff action passes (see GrantsService). */
    requireActiveGrant: grants.requireActiveGrant,
    /** The organisation's staff CA public key, for its members (what initial setup installs). */
    async staffCaFor(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return ca.publicKey(orgId);
    },
    /** For the detection module: opens a suspicious-activity grant and tells the customer at once. */
    openSuspiciousActivityGrant: grants.openSuspiciousActivityGrant,
    /** At start-up: recordings cut by a crash are marked incomplete (and audited). */
    start: () => recordings.recoverCrashed(),
    /** Each worker tick: grant windows opening and closing, sessions that stopped beating. */
    async tick(): Promise<void> {
      await grants.sweep();
      await recordings.recoverCrashed();
    },
    close: () => terminal.closeAll('shutdown'),
  };
}

export type Access = ReturnType<typeof registerAccess>;
