import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import {
  MANUAL_PAYMENTS,
  type BackupsPort,
  type PaymentProvider,
  type RiskSignalSink,
  type UsageSource,
} from './billing.types.js';
import { createInvoicesService } from './invoices.service.js';
import { createMeteringService } from './metering.service.js';
import { createPaymentsService } from './payments.service.js';
import { createPlansService } from './plans.service.js';
import { createProfileService } from './profile.service.js';

export { BILLING_INVOICES_SEALED, BILLING_PROFILES_SEALED } from './billing.store.js';
export { PAYMENT_METHODS, SUPPORT_TIERS } from './billing.types.js';
export type * from './billing.types.js';
export { BILLING_FIELDS } from './profile.service.js';

export interface BillingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'billing' | 'publicUrl'>;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'ownerIds' | 'namesOf'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly usage: UsageSource;
  /** Backup storage and plans, from the backups module. */
  readonly backups: BackupsPort;
  /** Payment providers; the manual / bank-transfer one is always there. */
  readonly providers?: readonly PaymentProvider[];
  /** Where payment failures and overdue invoices go: the fraud and abuse review. */
  readonly raiseSignal: RiskSignalSink;
}

/**
 * Plans, usage and invoices: operator-defined plans, hourly metering of what Steward manages, month-end invoices
 * with proration, tax by country, credit notes and payments, rendered to PDF and mailed. Scheduled work (the
 * composition root registers it with the cluster scheduler): `meter` (each hour once), `issueDue` and
 * `flagOverdue`.
 */
export function registerBilling(deps: BillingDeps) {
  const { db, clock } = deps;
  const s = deps.config.billing;
  const plans = createPlansService({ db, clock, currency: s.currency, audit: deps.audit, orgs: deps.orgs });
  const profile = createProfileService({ db, clock, vault: deps.vault, audit: deps.audit, orgs: deps.orgs });
  const metering = createMeteringService({
    db,
    clock,
    logger: deps.logger,
    usage: deps.usage,
    backups: deps.backups,
  });
  const invoices = createInvoicesService({
    db,
    clock,
    logger: deps.logger,
    publicUrl: deps.config.publicUrl,
    settings: s,
    vault: deps.vault,
    audit: deps.audit,
    notify: deps.notify,
    orgs: deps.orgs,
    users: deps.users,
    profile,
    raiseSignal: deps.raiseSignal,
  });
  const payments = createPaymentsService({
    db,
    clock,
    publicUrl: deps.config.publicUrl,
    providers: [MANUAL_PAYMENTS, ...(deps.providers ?? [])],
    audit: deps.audit,
    notify: deps.notify,
    orgs: deps.orgs,
    users: deps.users,
    profile,
    raiseSignal: deps.raiseSignal,
  });
  return { plans, profile, metering, invoices, payments, currency: s.currency };
}

export type Billing = ReturnType<typeof registerBilling>;
