import type { DatabaseHandle } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import type { Logger } from '../kernel/logger.js';
import { ORG_CA_KEYS_SEALED, registerAccess, SUPPORT_MESSAGES_SEALED, TERMINAL_CHUNKS_SEALED } from './access/index.js';
import { registerAlerts } from './alerts/index.js';
import { registerAudit, registerAuditReader } from './audit/index.js';
import { CREDENTIALS_SEALED, registerCredentials } from './credentials/index.js';
import { createAbuseFindings, createIncidentFacts } from './detection/index.js';
import { DISCOVERED_SECRETS_SEALED, registerDiscovery } from './discovery/index.js';
import { createHooks } from './hooks.js';
import { registerJobs, workerIdentity } from './jobs/index.js';
import { registerLedger } from './ledger/index.js';
import { MONITORING_SETTINGS_SEALED, registerMonitoring } from './monitoring/index.js';
import { OUTBOX_SEALED, registerNotify } from './notify/index.js';
import { createOrgsPrivacy, INVITATIONS_SEALED, registerOrgs } from './orgs/index.js';
import { registerPrivacy } from './privacy/index.js';
import { PROVIDER_ACCOUNTS_SEALED, registerProvisioning } from './provisioning/index.js';
import { registerScheduling, withStartupLock } from './scheduling/index.js';
import { createServersUsage, ORG_KEYS_SEALED, registerServers, SERVERS_SEALED } from './servers/index.js';
import { registerTasks, SERVER_SECRETS_SEALED } from './tasks/index.js';
import { createSignUpService, registerUsers, USERS_SEALED } from './users/index.js';
import { registerVault, type SealedColumnSpec } from './vault/index.js';
import {
  BACKUP_KEYS_SEALED,
  BACKUP_PLANS_SEALED,
  BACKUP_REPOSITORIES_SEALED,
  registerBackups,
} from './backups/index.js';
import {
  BILLING_INVOICES_SEALED,
  BILLING_PROFILES_SEALED,
  registerBilling,
  type BackupsPort,
} from './billing/index.js';
import { createRecommendationReads, registerRecommendations } from './recommendations/index.js';
import { createOrgStanding, registerTrust, type NewSignal } from './trust/index.js';

export interface CoreDeps {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Every sealed column, declared by the module that owns its table; the vault re-encrypts these on rotation. */
const SEALED_COLUMNS: readonly SealedColumnSpec[] = [
  USERS_SEALED,
  INVITATIONS_SEALED,
  CREDENTIALS_SEALED,
  SERVERS_SEALED,
  ORG_KEYS_SEALED,
  SERVER_SECRETS_SEALED,
  PROVIDER_ACCOUNTS_SEALED,
  SUPPORT_MESSAGES_SEALED,
  TERMINAL_CHUNKS_SEALED,
  ORG_CA_KEYS_SEALED,
  MONITORING_SETTINGS_SEALED,
  DISCOVERED_SECRETS_SEALED,
  OUTBOX_SEALED,
  BILLING_PROFILES_SEALED,
  BILLING_INVOICES_SEALED,
  BACKUP_KEYS_SEALED,
  BACKUP_REPOSITORIES_SEALED,
  BACKUP_PLANS_SEALED,
];

/**
 * The composition root: one register function per module, called in dependency order, each handed exactly the
 * services it uses. Where a module reacts to another's work it subscribes to a hook (`hooks.ts`) instead of being
 * patched in afterwards; the registry is made first and passed to those that run or subscribe. Nothing here
 * connects or starts; `start()` does.
 */
export function createCore(deps: CoreDeps) {
  const { config, database, clock, logger } = deps;
  const db = database.db;
  const engine = database.engine;
  const hooks = createHooks();

  // Foundation: keys, the audit trail, jobs, mail
  const { vault, rotation } = registerVault({ db, clock, logger, config, sealedColumns: SEALED_COLUMNS });
  const audit = registerAudit({
    db,
    engine,
    clock,
    logger,
    vault,
    timeoutMs: config.auditTimeoutMs,
    config: config.audit,
  });
  const queue = registerJobs({ engine, db, clock, logger, audit, config }); // cluster: pg-boss on PostgreSQL
  const notify = registerNotify({ db, clock, logger, config, vault, queue });

  // People
  const { passwords, users, sessions } = registerUsers({ db, clock, config, vault, audit });
  const orgs = registerOrgs({ db, clock, vault, audit, users });
  const credentials = registerCredentials({ db, clock, vault, audit, orgs });
  const auditReader = registerAuditReader({ audit, orgs });

  // trust: whether an organisation is suspended, asked by every module whose automation stops meanwhile
  const standing = createOrgStanding({ db });

  // Servers and the work on them
  const ledger = registerLedger({ db, clock, orgs });
  const alerts = registerAlerts({ db, clock, orgs });
  const { orgKeys, gateway, servers, closeGateway } = registerServers({
    db,
    clock,
    logger,
    config,
    vault,
    audit,
    orgs,
    alerts,
    ledger,
    queue,
    hooks,
  });
  const tasks = registerTasks({
    db,
    clock,
    logger,
    config,
    vault,
    audit,
    orgs,
    queue,
    servers,
    gateway,
    orgPublicKey: orgKeys.publicKey,
    standing, // trust: no task starts for a suspended organisation
  });
  const discovery = registerDiscovery({ db, clock, logger, vault, audit, orgs, servers, tasks, hooks, standing });
  const provisioning = registerProvisioning({
    db,
    clock,
    logger: logger.child({ module: 'provisioning' }),
    config: config.provisioning,
    vault,
    audit,
    orgs,
    ledger,
    queue,
    servers,
    orgKeys,
    onInstanceChange: (change) => servers.followInstance(change),
  });

  // Privacy: consent, mail gate, analytics, policies, disclosures, export, deletion, need-to-know
  const privacy = registerPrivacy({
    db,
    engine,
    clock,
    logger,
    config,
    vault,
    audit,
    queue,
    notify,
    passwords,
    users,
    sessions,
    orgs,
    servers,
  });
  // Sign-up: the account exists once the mailed link is followed, with the terms in force accepted
  const signup = createSignUpService({
    db,
    clock,
    config,
    vault,
    audit,
    passwords,
    users,
    orgs,
    notify,
    terms: privacy.terms,
  });
  // Access: staff grants, support requests, recorded terminal, staff SSH CA, timeline
  const access = registerAccess({
    db,
    clock,
    logger: logger.child({ module: 'access' }),
    config,
    vault,
    audit,
    notify,
    orgs,
    users,
    servers,
    gateway,
    tasks,
    discovery,
    credentials,
    ledger,
    instances: provisioning.instances,
    incident: createIncidentFacts({ db }), // detection: a suspicious-activity grant's incident, read when it opens
    undertakings: privacy.undertakings, // privacy: no grant without the current confidentiality undertaking
    hooks,
  });
  // Monitoring: sampling, alerts, logs, detection (critical incidents open grants through access)
  const worker = workerIdentity();
  const monitoring = registerMonitoring({
    db,
    engine,
    clock,
    logger,
    config,
    vault,
    audit,
    alerts,
    notify,
    orgs,
    servers,
    gateway,
    orgKeyFingerprint: async (orgId) => (await orgKeys.publicKey(orgId)).fingerprint,
    grants: access,
    hooks,
    worker,
    standing, // trust: a suspended organisation's servers are not sampled
  });

  // Backups: plans, runs, restore, checks (docs/decisions/0016-backups.md)
  const backups = registerBackups({
    db,
    clock,
    logger,
    config,
    vault,
    audit,
    queue,
    notify,
    orgs,
    servers,
    alerts,
    gateway,
    discovery,
    recipients: monitoring.settings.recipients,
    grants: access,
  });
  // Billing meters backup storage; recommendations ask whether a database has a plan
  const backupsPort: BackupsPort = {
    storageBytes: async (orgIds) =>
      new Map(await Promise.all(orgIds.map(async (id) => [id, BigInt(await backups.storageBytes(id))] as const))),
    hasBackupPlan: async (orgId, serverId, database) =>
      (await backups.hasPlan(orgId, serverId, database)) ? 'yes' : 'no',
  };
  // Trust: the fraud and abuse review queue and suspensions; billing raises payment failures and unpaid invoices
  const trust = registerTrust({
    db,
    clock,
    logger: logger.child({ module: 'trust' }),
    config,
    vault,
    audit,
    notify,
    orgs,
    members: createOrgsPrivacy({ db }).memberUserIds,
    users,
    findings: createAbuseFindings({ db }),
    openAppeal: (exec, input) => access.support.openAppeal(exec ?? db, input),
  });
  // Billing: plans, hourly usage, month-end invoices, payments
  const billing = registerBilling({
    db,
    clock,
    logger: logger.child({ module: 'billing' }),
    config,
    vault,
    audit,
    notify,
    orgs,
    users,
    usage: createServersUsage({ db }),
    backups: backupsPort,
    raiseSignal: async (exec, signal: NewSignal) => void (await trust.queue.raise(exec, signal)),
  });
  // Recommendations: personalised suggestions, only with the person's consent
  const reads = createRecommendationReads({ db, clock });
  const recommendations = registerRecommendations({
    db,
    clock,
    audit,
    orgs,
    consent: privacy.consent,
    sources: {
      webServersBehindOnUpdates: reads.webServersBehindOnUpdates,
      databases: reads.databases,
      fullDisks: reads.fullDisks,
      backupPlan: (orgId, serverId, database) => backupsPort.hasBackupPlan(orgId, serverId, database),
      planAdvice: (orgId) => billing.plans.adviceFor(orgId),
    },
  });

  // Standing work, once per interval across every worker (docs/decisions/0011-cluster.md)
  const scheduler = registerScheduling({ db, clock, logger, tickMs: config.schedulerTickMs, worker });
  scheduler.every('discovery.due', config.schedulerTickMs, () => discovery.runDueSchedules());
  scheduler.every('tasks.sweep', 60_000, () => tasks.sweepAbandoned());
  scheduler.every(
    'privacy.analytics_retention',
    3_600_000,
    async () => void (await privacy.analytics.applyRetention()),
  );
  scheduler.every('access.tick', 5_000, async () => void (await access.tick()));
  scheduler.every('monitoring.retention', 10 * 60_000, () => monitoring.applyRetention());
  scheduler.every('backups.due', config.schedulerTickMs, () => backups.runDuePlans());
  scheduler.every('backups.late', 10 * 60_000, () => backups.flagLate());
  scheduler.every('backups.check', 10 * 60_000, () => backups.checkDueRepositories());
  scheduler.every('trust.signals', 5 * 60_000, () => trust.queue.collectSignals());
  scheduler.every('billing.meter', 5 * 60_000, () => billing.metering.meter());
  scheduler.every('billing.invoices', 3_600_000, () => billing.invoices.issueDue());
  scheduler.every('billing.overdue', 3_600_000, () => billing.invoices.flagOverdue());

  return {
    db,
    vault,
    rotation,
    audit,
    queue,
    notify,
    passwords,
    users,
    sessions,
    orgs,
    signup, // sign-up through a mailed confirmation link
    credentials,
    auditReader,
    ledger,
    alerts,
    orgKeys,
    servers,
    tasks,
    discovery,
    gateway,
    provisioning,
    privacy, // privacy centre
    access, // staff access by consent
    monitoring, // monitoring, logs and detection
    standing, // trust: suspended organisations
    trust, // fraud and abuse review, suspensions
    billing, // plans, usage, invoices, payments
    recommendations, // personalised suggestions, with consent
    backups, // backups and restore
    clock,
    logger,
    config,
    engine,
    scheduler,
    /**
     * Opens the vault, finishes any key rotation a crash interrupted, and readies the job queue. Nodes starting
     * together take turns (a PostgreSQL advisory lock), so first-start work happens once.
     */
    async start(): Promise<void> {
      await withStartupLock(database, async () => {
        const status = await vault.start();
        if (!status.sealed) await rotation.resume();
        await queue.prepare();
      });
      if (!vault.isSealed()) {
        audit.startSealer(); // audit: links new entries into the chain, signs checkpoints
        await access.start(); // access: recordings cut by a crash
      }
    },
    /** The worker role: runs jobs and the standing schedules (each once per interval across the cluster). */
    startWorker(): void {
      queue.start();
      scheduler.start();
      monitoring.start(); // monitoring: this worker's sampling passes (servers are claimed one by one)
    },
    /** Stops the worker role (running jobs get `graceMs` to finish, then go back to the queue) and closes. */
    async close(options: { graceMs?: number } = {}): Promise<void> {
      await scheduler.stop();
      await monitoring.stop(); // monitoring: sampled servers go to the other workers at once
      await queue.stop(options);
      await access.close(); // access: live terminal sessions end with their recordings complete
      await closeGateway();
      notify.close();
      await audit.stopSealer();
      await database.close();
    },
  };
}

export type Core = ReturnType<typeof createCore>;
