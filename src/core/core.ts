import { createPasswordHasher } from '../crypto/passwords.js';
import type { DatabaseHandle } from '../db/database.js';
import type { Clock } from '../kernel/clock.js';
import type { Config } from '../kernel/config.js';
import type { Logger } from '../kernel/logger.js';
import { createAuditReader } from './audit/audit.reader.js';
import { createAuditService } from './audit/audit.service.js';
import { CREDENTIALS_SEALED } from './credentials/credentials.store.js';
import { createCredentialsService } from './credentials/credentials.service.js';
import { createQueueFor } from './jobs/choose.js';
import { workerIdentity } from './jobs/worker-common.js';
import { createScheduler } from './scheduling/scheduler.js';
import { withStartupLock } from './scheduling/startup-lock.js';
import { INVITATIONS_SEALED } from './orgs/orgs.store.js';
import { createOrgsService } from './orgs/orgs.service.js';
import { createSessionsService } from './users/sessions.service.js';
import { USERS_SEALED } from './users/users.store.js';
import { createUsersService } from './users/users.service.js';
import { createSignUpService } from './users/signup.service.js';
import { createKeyRotation } from './vault/vault.rotation.js';
import { createVault } from './vault/vault.service.js';
import type { SealedColumnSpec } from './vault/vault.types.js';
import { createAlertsService } from './alerts/alerts.service.js';
import { createNotifyService, OUTBOX_SEALED } from './notify/notify.service.js';
import { createLedgerService } from './ledger/ledger.service.js';
import { createServerGateway, type ServerGateway } from './servers/gateway.js';
import { ORG_KEYS_SEALED, SERVERS_SEALED } from './servers/servers.store.js';
import { createOrgKeys, createServersService } from './servers/servers.service.js';
import { SERVER_SECRETS_SEALED } from './tasks/tasks.store.js';
import { createTasksService } from './tasks/tasks.service.js';
import { DISCOVERED_SECRETS_SEALED } from './discovery/discovery.store.js';
import { createDiscoveryService, type DiscoveryService } from './discovery/discovery.service.js';
import { PROVIDER_ACCOUNTS_SEALED, registerProvisioning } from './provisioning/index.js';
import { registerPrivacy } from './privacy/index.js';
import { ORG_CA_KEYS_SEALED, registerAccess, SUPPORT_MESSAGES_SEALED, TERMINAL_CHUNKS_SEALED } from './access/index.js';
import { MONITORING_SETTINGS_SEALED, registerMonitoring } from './monitoring/index.js';
import {
  BILLING_INVOICES_SEALED,
  BILLING_PROFILES_SEALED,
  registerBilling,
  type BackupsPort,
} from './billing/index.js';
import { createOrgStanding, registerTrust, type NewSignal } from './trust/index.js';
import { createServersUsage } from './servers/servers.usage.js';
import { createAbuseFindings } from './detection/abuse.js';
import { createOrgsPrivacy } from './orgs/orgs.privacy.js';
import type { AutomationStanding } from './standing.js';
import { createRecommendationReads, registerRecommendations } from './recommendations/index.js';
import * as backupsModule from './backups/index.js';

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
  BILLING_PROFILES_SEALED,
  BILLING_INVOICES_SEALED,
  backupsModule.BACKUP_KEYS_SEALED,
  backupsModule.BACKUP_REPOSITORIES_SEALED,
  backupsModule.BACKUP_PLANS_SEALED,
];

function registerFoundation(deps: CoreDeps) {
  const { config, database, clock, logger } = deps;
  const db = database.db;
  const vault = createVault({ db, clock, logger: logger.child({ module: 'vault' }), config });
  const rotation = createKeyRotation({
    db,
    clock,
    logger: logger.child({ module: 'vault' }),
    config,
    vault,
    sealedColumns: SEALED_COLUMNS,
  });
  const audit = createAuditService({
    db,
    engine: database.engine,
    clock,
    logger: logger.child({ module: 'audit' }),
    vault,
    timeoutMs: config.auditTimeoutMs,
  });
  const queue = createQueueFor({
    engine: database.engine,
    db,
    clock,
    logger: logger.child({ module: 'jobs' }),
    audit,
    config,
  }); // cluster: pg-boss on PostgreSQL
  const notify = createNotifyService({
    db,
    clock,
    logger: logger.child({ module: 'mail' }),
    vault,
    queue,
    smtpUrl: config.mail.smtpUrl,
    from: config.mail.from,
  });
  queue.register('mail.send', (job) => notify.deliver(job), { timeoutMs: 2 * 60_000 });
  return { db, vault, rotation, audit, queue, notify };
}

function registerPeople(deps: CoreDeps, base: ReturnType<typeof registerFoundation>) {
  const { db, vault, audit } = base;
  const passwords = createPasswordHasher(deps.config.argon2);
  const users = createUsersService({ db, clock: deps.clock, vault, audit, passwords });
  const sessions = createSessionsService({
    db,
    clock: deps.clock,
    config: deps.config,
    vault,
    audit,
    passwords,
    users,
  });
  const orgs = createOrgsService({ db, clock: deps.clock, vault, audit, users });
  // Sign-up: the account exists once the mailed link is followed
  const signup = createSignUpService({
    db,
    clock: deps.clock,
    config: deps.config,
    vault,
    audit,
    passwords,
    users,
    orgs,
    notify: base.notify,
  });
  return { passwords, users, sessions, orgs, signup };
}

function registerServers(
  deps: CoreDeps,
  base: ReturnType<typeof registerFoundation>,
  people: ReturnType<typeof registerPeople>,
  standing: AutomationStanding,
) {
  const { db, vault, audit, queue } = base;
  const { clock, logger, config } = deps;
  const ledger = createLedgerService({ db, clock, orgs: people.orgs });
  const alerts = createAlertsService({ db, clock, orgs: people.orgs });
  const orgKeys = createOrgKeys({ db, clock, vault });
  let gateway: ServerGateway | undefined;
  // access: every login under a staff grant is checked when it happens (the access module installs the check).
  const loginGuard: { check: NonNullable<Parameters<typeof createServerGateway>[0]['beforeLogin']> } = {
    check: async () => undefined,
  };
  const getGateway = (): ServerGateway =>
    (gateway ??= createServerGateway({
      db,
      clock,
      logger: logger.child({ module: 'ssh' }),
      vault,
      ledger,
      audit,
      alerts,
      orgKey: orgKeys.privateKey,
      beforeLogin: (i, s) => loginGuard.check(i, s),
      keptIdleMs: config.monitoring.loginIdleMs, // monitoring: one kept login per sampled server
      executorOptions: {
        logger: logger.child({ module: 'ssh' }),
        maxConcurrency: config.ssh.maxConcurrency,
        connectTimeoutMs: config.ssh.connectTimeoutMs,
        commandTimeoutMs: config.ssh.commandTimeoutMs,
        addressPolicy: config.ssh.addressPolicy, // every connection to a customer's server is checked
      },
    }));
  let discovery: DiscoveryService | undefined;
  const servers = createServersService({
    db,
    clock,
    logger,
    vault,
    audit,
    orgs: people.orgs,
    alerts,
    queue,
    gateway: getGateway,
    addressPolicy: config.ssh.addressPolicy,
    // A server that just became ready is discovered at once, under the instruction that added it.
    onReady: async (server, instruction) =>
      void (await discovery?.discover(server.org_id, { serverIds: [server.id] }, instruction, {})),
  });
  queue.register('servers.enrol', (job) => servers.enrol(job, orgKeys.publicKey), { timeoutMs: 5 * 60_000 });
  queue.register('servers.release', (job) => servers.release(job, orgKeys.publicKey), { timeoutMs: 5 * 60_000 });
  const tasks = createTasksService({
    db,
    clock,
    logger,
    vault,
    audit,
    orgs: people.orgs,
    queue,
    servers,
    gateway: getGateway,
    orgPublicKey: orgKeys.publicKey,
    standing, // trust: no task starts for a suspended organisation
  });
  // cluster: caps per organisation and per server hold across every worker (docs/decisions/0011-cluster.md).
  queue.register(tasks.HOST_QUEUE, (job) => tasks.runHost(job), {
    timeoutMs: 65 * 60_000,
    concurrency: config.ssh.maxConcurrency,
    limits: (job) => tasks.hostLimits(job, config.cluster),
  });
  // monitoring: what a discovery run found changed goes to detection (the monitoring module installs the hook).
  const snapshotHook: { fn: NonNullable<Parameters<typeof createDiscoveryService>[0]['onSnapshot']> } = {
    fn: async () => undefined,
  };
  discovery = createDiscoveryService({
    db,
    clock,
    logger: logger.child({ module: 'discovery' }),
    vault,
    audit,
    orgs: people.orgs,
    servers,
    tasks,
    onSnapshot: (snap) => snapshotHook.fn(snap),
    standing, // trust: a suspended organisation's schedules do not run
  });
  return {
    ledger,
    alerts,
    orgKeys,
    servers,
    tasks,
    discovery,
    gateway: getGateway,
    loginGuard,
    snapshotHook,
    closeGateway: async () => gateway?.close(),
  };
}

/**
 * The composition root: stores and services built in dependency order (so wiring cannot loop), one register
 * function per area. Nothing here connects or starts; `start()` does.
 */
export function createCore(deps: CoreDeps) {
  const base = registerFoundation(deps);
  const people = registerPeople(deps, base);
  const credentials = createCredentialsService({
    db: base.db,
    clock: deps.clock,
    vault: base.vault,
    audit: base.audit,
    orgs: people.orgs,
  });
  const auditReader = createAuditReader({ audit: base.audit, orgs: people.orgs });
  // trust: whether an organisation is suspended, asked by every module whose automation stops meanwhile
  const standing = createOrgStanding({ db: base.db });
  const fleet = registerServers(deps, base, people, standing);
  // Cluster: standing work, once per interval across every worker
  const worker = workerIdentity();
  const scheduler = createScheduler({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'schedules' }),
    tickMs: Math.min(1000, deps.config.schedulerTickMs),
    worker,
  });
  scheduler.every('discovery.due', deps.config.schedulerTickMs, () => fleet.discovery.runDueSchedules());
  scheduler.every('tasks.sweep', 60_000, () => fleet.tasks.sweepAbandoned());
  const provisioning = registerProvisioning({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'provisioning' }),
    config: deps.config.provisioning,
    vault: base.vault,
    audit: base.audit,
    orgs: people.orgs,
    ledger: fleet.ledger,
    queue: base.queue,
    servers: fleet.servers,
    orgKeys: fleet.orgKeys,
    onInstanceChange: (change) => fleet.servers.followInstance(change),
  });
  // Privacy: consent, mail gate, analytics, policies, disclosures, export, deletion, need-to-know
  const privacy = registerPrivacy({
    db: base.db,
    engine: deps.database.engine,
    clock: deps.clock,
    logger: deps.logger,
    config: deps.config,
    vault: base.vault,
    audit: base.audit,
    queue: base.queue,
    notify: base.notify,
    passwords: people.passwords,
    users: people.users,
    sessions: people.sessions,
    orgs: people.orgs,
    servers: fleet.servers,
  });
  scheduler.every(
    'privacy.analytics_retention',
    3_600_000,
    async () => void (await privacy.analytics.applyRetention()),
  );
  // Access: staff grants, support requests, recorded terminal, staff SSH CA, timeline
  const access = registerAccess({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'access' }),
    config: deps.config,
    vault: base.vault,
    audit: base.audit,
    notify: base.notify,
    orgs: people.orgs,
    users: people.users,
    servers: fleet.servers,
    gateway: fleet.gateway,
    tasks: fleet.tasks,
    discovery: fleet.discovery,
    credentials,
    ledger: fleet.ledger,
    instances: provisioning.instances,
    incident: (orgId, id) => monitoring.detection.incidentFacts(orgId, id), // detection is built below
    undertakings: privacy.undertakings, // privacy: no grant without the current confidentiality undertaking
  });
  fleet.loginGuard.check = access.guardLogin;
  scheduler.every('access.tick', 5_000, async () => void (await access.tick()));
  // Monitoring: sampling, alerts, logs, detection (critical incidents open grants through access)
  const monitoring = registerMonitoring({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger,
    config: deps.config,
    vault: base.vault,
    audit: base.audit,
    alerts: fleet.alerts,
    notify: base.notify,
    orgs: people.orgs,
    servers: fleet.servers,
    gateway: fleet.gateway,
    orgKeyFingerprint: async (orgId) => (await fleet.orgKeys.publicKey(orgId)).fingerprint,
    grants: () => access,
    worker,
    standing, // trust: a suspended organisation's servers are not sampled
  });
  scheduler.every('monitoring.retention', 10 * 60_000, () => monitoring.applyRetention());
  fleet.snapshotHook.fn = monitoring.onSnapshot;
  // Backups: plans, runs, restore, checks (docs/decisions/0016-backups.md)
  const backups = backupsModule.registerBackups({
    ...base,
    ...deps,
    orgs: people.orgs,
    servers: fleet.servers,
    alerts: fleet.alerts,
    gateway: fleet.gateway,
    discovery: fleet.discovery,
    recipients: monitoring.settings.recipients,
    grants: () => access.requireActiveGrant,
  });
  scheduler.every('backups.due', deps.config.schedulerTickMs, () => backups.runDuePlans());
  scheduler.every('backups.late', 10 * 60_000, () => backups.flagLate());
  scheduler.every('backups.check', 10 * 60_000, () => backups.checkDueRepositories());
  // Billing meters backup storage; recommendations ask whether a database has a plan
  const backupsPort: BackupsPort = {
    storageBytes: async (orgIds) =>
      new Map(await Promise.all(orgIds.map(async (id) => [id, BigInt(await backups.storageBytes(id))] as const))),
    hasBackupPlan: async (orgId, serverId, database) =>
      (await backups.hasPlan(orgId, serverId, database)) ? 'yes' : 'no',
  };
  // Trust: the fraud and abuse review queue and suspensions; billing raises payment failures and unpaid invoices
  const trust = registerTrust({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'trust' }),
    config: deps.config,
    vault: base.vault,
    audit: base.audit,
    notify: base.notify,
    orgs: people.orgs,
    members: createOrgsPrivacy({ db: base.db }).memberUserIds,
    users: people.users,
    findings: createAbuseFindings({ db: base.db }),
    openAppeal: (exec, input) => access.support.openAppeal(exec ?? base.db, input),
  });
  scheduler.every('trust.signals', 5 * 60_000, () => trust.queue.collectSignals());
  // Billing: plans, hourly usage, month-end invoices, payments (backup storage from the backups module)
  const billing = registerBilling({
    db: base.db,
    clock: deps.clock,
    logger: deps.logger.child({ module: 'billing' }),
    config: deps.config,
    vault: base.vault,
    audit: base.audit,
    notify: base.notify,
    orgs: people.orgs,
    users: people.users,
    usage: createServersUsage({ db: base.db }),
    backups: backupsPort,
    raiseSignal: async (exec, signal: NewSignal) => void (await trust.queue.raise(exec, signal)),
  });
  scheduler.every('billing.meter', 5 * 60_000, () => billing.metering.meter());
  scheduler.every('billing.invoices', 3_600_000, () => billing.invoices.issueDue());
  scheduler.every('billing.overdue', 3_600_000, () => billing.invoices.flagOverdue());
  // Recommendations: personalised suggestions, only with the person's consent
  const reads = createRecommendationReads({ db: base.db, clock: deps.clock });
  const recommendations = registerRecommendations({
    db: base.db,
    clock: deps.clock,
    audit: base.audit,
    orgs: people.orgs,
    consent: privacy.consent,
    sources: {
      webServersBehindOnUpdates: reads.webServersBehindOnUpdates,
      databases: reads.databases,
      fullDisks: reads.fullDisks,
      backupPlan: (orgId, serverId, database) => backupsPort.hasBackupPlan(orgId, serverId, database),
      planAdvice: (orgId) => billing.plans.adviceFor(orgId),
    },
  });

  return {
    ...base,
    ...people,
    credentials,
    auditReader,
    ...fleet,
    provisioning,
    privacy, // privacy centre
    access, // staff access by consent
    monitoring, // monitoring, logs and detection
    standing, // trust: suspended organisations
    trust, // fraud and abuse review, suspensions
    billing, // plans, usage, invoices, payments
    recommendations, // personalised suggestions, with consent
    backups, // backups and restore
    clock: deps.clock,
    logger: deps.logger,
    config: deps.config,
    engine: deps.database.engine,
    scheduler,
    /**
     * Opens the vault, finishes any key rotation a crash interrupted, and readies the job queue. Nodes starting
     * together take turns (a PostgreSQL advisory lock), so first-start work happens once.
     */
    async start(): Promise<void> {
      await withStartupLock(deps.database, async () => {
        const status = await base.vault.start();
        if (!status.sealed) await base.rotation.resume();
        await base.queue.prepare();
      });
      if (!base.vault.isSealed()) await access.start(); // access: recordings cut by a crash
    },
    /** The worker role: runs jobs and the standing schedules (each once per interval across the cluster). */
    startWorker(): void {
      base.queue.start();
      scheduler.start();
      monitoring.start(); // monitoring: this worker's sampling passes (servers are claimed one by one)
    },
    /** Stops the worker role (running jobs get `graceMs` to finish, then go back to the queue) and closes. */
    async close(options: { graceMs?: number } = {}): Promise<void> {
      await scheduler.stop();
      await monitoring.stop(); // monitoring: sampled servers go to the other workers at once
      await base.queue.stop(options);
      await access.close(); // access: live terminal sessions end with their recordings complete
      await fleet.closeGateway();
      base.notify.close();
      await deps.database.close();
    },
  };
}

export type Core = ReturnType<typeof createCore>;
