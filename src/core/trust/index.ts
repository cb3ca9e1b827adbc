import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createReviewQueue } from './queue.service.js';
import { createSuspensionsService } from './suspensions.service.js';
import type { AbuseFindings, OpenAppeal } from './trust.types.js';

export { createOrgStanding, type OrgStanding } from './standing.js';
export { REVIEW_SIGNALS } from './trust.types.js';
export type * from './trust.types.js';

export interface TrustDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'risk' | 'publicUrl'>;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'namesOf'>;
  readonly members: (orgId: string) => Promise<string[]>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly findings: AbuseFindings;
  readonly openAppeal: OpenAppeal;
  readonly onSuspended?: (orgId: string) => Promise<void>;
}

/**
 * Fraud and abuse: the review queue risk signals feed, and suspensions (automation stops, data and servers stay,
 * members see why and appeal). The standing check other modules consult is built separately (`createOrgStanding`)
 * because they are built before this module.
 */
export function registerTrust(deps: TrustDeps) {
  const queue = createReviewQueue({
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    risk: deps.config.risk,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    findings: deps.findings,
  });
  const suspensions = createSuspensionsService({
    db: deps.db,
    clock: deps.clock,
    publicUrl: deps.config.publicUrl,
    audit: deps.audit,
    notify: deps.notify,
    orgs: deps.orgs,
    members: deps.members,
    users: deps.users,
    queue,
    openAppeal: deps.openAppeal,
    ...(deps.onSuspended ? { onSuspended: deps.onSuspended } : {}),
  });
  return { queue, suspensions };
}

export type Trust = ReturnType<typeof registerTrust>;
