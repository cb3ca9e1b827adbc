import type { PasswordHasher } from '../../crypto/passwords.js';
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import { createOrgsPrivacy } from '../orgs/orgs.privacy.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { SessionsService } from '../users/sessions.service.js';
import { createUsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createAnalyticsService } from './analytics.service.js';
import { createCommunicationsService } from './communications.service.js';
import { createConsentService } from './consent.service.js';
import { createDeletionService } from './deletion.service.js';
import { createDisclosuresService } from './disclosures.service.js';
import { createExportService } from './export.service.js';
import { createPeopleService } from './people.service.js';
import { createPoliciesService } from './policies.service.js';
import { createReviewService } from './review.service.js';
import { createUndertakingsService } from './undertakings.service.js';
import { createTermsService } from './terms.service.js';

export interface PrivacyDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'publicUrl' | 'privacy'>;
  readonly vault: Vault;
  readonly audit: AuditService;
  readonly queue: Queue;
  readonly notify: NotifyService;
  readonly passwords: PasswordHasher;
  readonly users: UsersService;
  readonly sessions: SessionsService;
  readonly orgs: OrgsService;
  readonly servers: ServersService;
}

/**
 * The privacy centre, built in dependency order: consent first (everything else asks it), then the mail gate
 * and communications, policies, disclosures, analytics, export, deletion, need-to-know and the review report.
 * Registers its jobs and installs the consent-and-suppression gate on outgoing mail.
 */
export function registerPrivacy(deps: PrivacyDeps) {
  const { db, clock, vault, audit, queue, notify } = deps;
  const people = createUsersPrivacy({ db });
  const orgData = createOrgsPrivacy({ db });
  const consent = createConsentService({ db, clock, vault, audit });
  const communications = createCommunicationsService({
    db,
    clock,
    config: deps.config,
    vault,
    audit,
    queue,
    notify,
    users: deps.users,
    people,
    consent,
  });
  notify.setGate(communications.gate);
  const policies = createPoliciesService({
    db,
    clock,
    publicUrl: deps.config.publicUrl,
    audit,
    queue,
    notify,
    users: deps.users,
    people,
  });
  const disclosures = createDisclosuresService({
    db,
    clock,
    publicUrl: deps.config.publicUrl,
    audit,
    queue,
    notify,
    users: deps.users,
    people,
    orgs: orgData,
  });
  const terms = createTermsService({
    db,
    clock,
    publicUrl: deps.config.publicUrl,
    vault,
    audit,
    queue,
    notify,
    users: deps.users,
    people,
  });
  const analytics = createAnalyticsService({ db, clock, config: deps.config, vault, audit, consent });
  const exports = createExportService({
    db,
    clock,
    vault,
    audit,
    users: deps.users,
    sessions: deps.sessions,
    orgs: deps.orgs,
    notify,
    consent,
    policies,
    communications,
    analytics,
    terms,
  });
  const deletion = createDeletionService({
    db,
    engine: deps.engine,
    clock,
    logger: deps.logger.child({ module: 'privacy' }),
    vault,
    audit,
    queue,
    passwords: deps.passwords,
    notify,
    orgs: deps.orgs,
    orgData,
    servers: deps.servers,
    people,
    identity: deps.sessions,
  });
  const staffPeople = createPeopleService({ clock, audit, users: deps.users, orgs: orgData, consent });
  const undertakings = createUndertakingsService({ db, clock, vault, audit, users: deps.users });
  const review = createReviewService({
    db,
    engine: deps.engine,
    clock,
    audit,
    people,
    users: deps.users,
    undertakings,
  });

  queue.register('privacy.promotion', (job) => communications.fanOutPromotion(job), { timeoutMs: 30 * 60_000 });
  queue.register('privacy.policy_notice', (job) => policies.sendNotices(job), { timeoutMs: 30 * 60_000 });
  queue.register('privacy.transfer_notices', (job) => disclosures.queueTransferNotices(job), {
    timeoutMs: 30 * 60_000,
  });
  queue.register('privacy.terms_notice', (job) => terms.sendNotices(job), { timeoutMs: 30 * 60_000 });
  queue.register('privacy.org_erase', (job) => deletion.eraseOrg(job), { timeoutMs: 10 * 60_000 });

  return {
    consent,
    communications,
    policies,
    disclosures,
    analytics,
    exports,
    deletion,
    people: staffPeople,
    review,
    undertakings,
    terms,
  };
}

export type Privacy = ReturnType<typeof registerPrivacy>;
export { CONSENT_PURPOSES, PERSONAL_FIELDS } from './privacy.types.js';
export type { ConsentPurpose, PersonalField } from './privacy.types.js';
