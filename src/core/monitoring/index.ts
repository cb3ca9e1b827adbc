/**
 * Monitoring, operational logs and suspicious-activity detection, built in dependency order: settings (who is
 * monitored, who is mailed), alerting, detection (which mails the same recipients), the sampler that feeds
 * both, queries, and the retention chore. See docs/decisions/0009-monitoring.md.
 */
import type { AutomationStanding } from '../standing.js';
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService } from '../audit/audit.service.js';
import { bareAddress, registerDetection, type SuspiciousActivityGrants } from '../detection/index.js';
import type { HookSubscriber } from '../hooks.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createAlertingService } from './alerting.service.js';
import { logsStore } from './logs/logs.store.js';
import { createMetricsStore } from './metrics.store.js';
import { createQueryService } from './query.service.js';
import { createSampler } from './sampler.js';
import { createSettingsService } from './settings.service.js';
import { targetsStore } from './targets.store.js';

/** How long a worker uses the list of an organisation's servers before reading it again (detection's own peers). */
const PEERS_TTL_MS = 30_000;

export interface MonitoringDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'monitoring' | 'publicUrl'>;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly alerts: Pick<AlertsService, 'raise' | 'resolve' | 'list'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'allRows' | 'rowById' | 'rowsById'>;
  readonly gateway: () => Pick<ServerGateway, 'residentKept' | 'releaseKept'>;
  /** Fingerprint of the organisation's own SSH key (installed by Steward: not news when it appears). */
  readonly orgKeyFingerprint: (orgId: string) => Promise<string | null>;
  /** The access module's grant opener: critical incidents open a suspicious-activity grant. */
  readonly grants: SuspiciousActivityGrants;
  /** Monitoring subscribes to `snapshotTaken`: discovery's changes go to detection. */
  readonly hooks: HookSubscriber;
  readonly worker: string;
  /** Whether an organisation is suspended (trust): its servers are not sampled meanwhile. */
  readonly standing?: Pick<AutomationStanding, 'suspendedAmong'>;
}

export function registerMonitoring(deps: MonitoringDeps) {
  const { db, clock } = deps;
  const cfg = deps.config.monitoring;
  const logger = deps.logger.child({ module: 'monitoring' });
  const settings = createSettingsService({
    db,
    clock,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    servers: deps.servers,
    defaultIntervalSeconds: cfg.defaultIntervalSeconds,
    releaseLogin: (id) => deps.gateway().releaseKept(id),
  });
  const alerting = createAlertingService({
    db,
    clock,
    audit: deps.audit,
    alerts: deps.alerts,
    notify: deps.notify,
    orgs: deps.orgs,
    servers: deps.servers,
    recipients: settings.recipients,
    publicUrl: deps.config.publicUrl,
  });
  // An organisation's key never changes once made, so its fingerprint is read once per process, not per sample.
  const ownKeySets = new Map<string, ReadonlySet<string>>();
  const ownKeys = async (orgId: string): Promise<ReadonlySet<string>> => {
    const known = ownKeySets.get(orgId);
    if (known) return known;
    const fp = await deps.orgKeyFingerprint(orgId).catch(() => null);
    if (!fp) return new Set();
    const set = new Set([fp]);
    ownKeySets.set(orgId, set);
    return set;
  };
  // The organisation's servers as Steward logs in to them, read at most every 30 s per organisation.
  const peerSets = new Map<string, { readonly atMs: number; readonly peers: Promise<ReadonlySet<string>> }>();
  const stewardPeers = (orgId: string): Promise<ReadonlySet<string>> => {
    const known = peerSets.get(orgId);
    if (known && clock.nowMs() - known.atMs < PEERS_TTL_MS) return known.peers;
    const peers = deps.servers
      .allRows(orgId)
      .then((rows) => new Set(rows.map((r) => `${bareAddress(r.address)}:${r.port}`)) as ReadonlySet<string>)
      .catch(() => new Set<string>());
    peerSets.set(orgId, { atMs: clock.nowMs(), peers });
    return peers;
  };
  const detection = registerDetection({
    db,
    clock,
    logger: deps.logger.child({ module: 'detection' }),
    audit: deps.audit,
    alerts: deps.alerts,
    notify: deps.notify,
    orgs: deps.orgs,
    servers: deps.servers,
    recipients: settings.recipients,
    ownKeys,
    grants: deps.grants,
    thresholds: cfg.detection,
    publicUrl: deps.config.publicUrl,
  });
  const metrics = createMetricsStore({ engine: deps.engine });
  const sampler = createSampler({
    db,
    clock,
    logger,
    config: cfg,
    worker: deps.worker,
    metrics,
    gateway: deps.gateway,
    servers: deps.servers,
    alerting,
    detection,
    ownKeys,
    stewardPeers,
    thresholds: cfg.detection,
    beforeTick: settings.syncMonitorAll,
    ...(deps.standing ? { standing: deps.standing } : {}),
  });
  const query = createQueryService({
    db,
    clock,
    orgs: deps.orgs,
    servers: deps.servers,
    metrics,
    rawRetentionMs: cfg.rawRetentionMs,
  });

  /** Deletes raw points, minute roll-ups and log lines past their retention. */
  async function applyRetention(): Promise<{ raw: number; minute: number; logLines: number }> {
    const nowS = Math.floor(clock.nowMs() / 1000);
    const pruned = await metrics.prune(
      db,
      nowS - Math.floor(cfg.rawRetentionMs / 1000),
      nowS - Math.floor(cfg.minuteRetentionMs / 1000),
    );
    const logLines = await logsStore.prune(db, new Date(clock.nowMs() - cfg.logRetentionMs).toISOString());
    if (pruned.raw + pruned.minute + logLines > 0) logger.info({ ...pruned, logLines }, 'monitoring retention applied');
    return { ...pruned, logLines };
  }

  /**
   * Discovery's changes, for servers that sampling does not cover yet (not monitored, or never sampled): a
   * sampled server's own samples already compare the same state, and would report it twice.
   */
  async function onSnapshot(snapshot: Parameters<typeof detection.onSnapshot>[0]): Promise<void> {
    const target = await targetsStore.target(db, snapshot.serverId);
    if (target?.enabled === 1 && target.last_ok_at !== null) return;
    await detection.onSnapshot(snapshot);
  }
  deps.hooks.on('snapshotTaken', onSnapshot);

  return {
    settings,
    alerting,
    detection,
    query,
    tick: sampler.tick,
    /** Samples due, taken, late and missed, summed over servers (the bench and the operator read it). */
    scheduleTotals: sampler.scheduleTotals,
    start: () => sampler.start(cfg.tickMs),
    stop: sampler.stop,
    applyRetention,
  };
}

export type Monitoring = ReturnType<typeof registerMonitoring>;
export { MONITORING_SETTINGS_SEALED } from './targets.store.js';
