import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, conflict, notFound } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, type Actor } from '../actor.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { Facts, FactChange } from '../discovery/collect/index.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { parseAuthEvents } from './auth-events.js';
import { draftsFromChanges } from './changes.js';
import { detectionStore, type FindingRow, type IncidentRow } from './detection.store.js';
import type { DetectionInput, FindingDraft, Thresholds } from './detection.types.js';
import { createRecorder, type SuspiciousActivityGrants } from './recorder.js';
import { runRules } from './rules/index.js';

export interface DetectionDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly alerts: Pick<AlertsService, 'raise' | 'resolve'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById'>;
  readonly recipients: (orgId: string) => Promise<string[]>;
  /** Fingerprints of the keys Steward installs itself (the organisation's key). */
  readonly ownKeys: (orgId: string) => Promise<ReadonlySet<string>>;
  /** Present when the access module runs (see RecorderDeps). */
  readonly grants?: SuspiciousActivityGrants;
  readonly thresholds: Thresholds;
  readonly publicUrl: string;
}

/** What a sample showed, as the sampler hands it over (log lines as read; detection parses what it needs). */
export type Observation = Omit<DetectionInput, 'auth' | 'knownLogins' | 'thresholds'> & {
  readonly authWindow: readonly { readonly line: string; readonly observedMs: number }[];
  readonly authFresh: readonly { readonly line: string; readonly observedMs: number }[];
  /** True while the auth log is read for the first time: what it holds is the baseline of known logins. */
  readonly authBaseline: boolean;
};

const findingView = (r: FindingRow) => ({
  id: r.id,
  serverId: r.server_id,
  serverName: r.server_name,
  rule: r.rule,
  key: r.key,
  severity: r.severity,
  title: r.title,
  evidence: JSON.parse(r.evidence) as Record<string, unknown>,
  status: r.status,
  incidentId: r.incident_id,
  occurrences: r.occurrences,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
});
export type FindingView = ReturnType<typeof findingView>;

const incidentView = (r: IncidentRow, findings: readonly FindingRow[]) => ({
  id: r.id,
  title: r.title,
  severity: r.severity,
  status: r.status,
  openedAt: r.opened_at,
  updatedAt: r.updated_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  closedAt: r.closed_at,
  closedBy: r.closed_by,
  grantId: r.grant_id,
  grantNote: r.grant_note,
  serverIds: [...new Set(findings.map((f) => f.server_id).filter((s): s is string => s !== null))],
  findingCount: findings.length,
});
export type IncidentView = ReturnType<typeof incidentView>;

/**
 * Suspicious-activity detection: runs the rules over each monitoring sample (and each discovery run's
 * changes), records findings grouped into incidents, tells the customer at once, and lets people acknowledge
 * and close them. Rules are pure functions (rules/); this service is their input and their memory.
 */
export function createDetectionService(deps: DetectionDeps) {
  const { db, clock } = deps;
  const recorder = createRecorder(deps);

  /** Runs every rule over one sample of a server and records what they report. */
  async function observe(orgId: string, server: { id: string; name: string }, o: Observation): Promise<FindingDraft[]> {
    const fresh = parseAuthEvents(o.authFresh);
    // Known logins matter only to a fresh successful login; without one they are not read.
    const known = o.authBaseline
      ? null
      : fresh.some((e) => e.kind === 'success')
        ? await detectionStore.knownLogins(db, server.id)
        : new Set<string>();
    const drafts = runRules({
      ...o,
      auth: { window: parseAuthEvents(o.authWindow), fresh },
      knownLogins: known,
      thresholds: deps.thresholds,
    });
    await recorder.record(orgId, server, drafts);
    const at = clock.iso();
    for (const e of fresh) {
      if (e.kind === 'success' && e.user)
        await detectionStore.rememberLogin(db, {
          server_id: server.id,
          org_id: orgId,
          account: e.user,
          address: e.address,
          at,
        });
    }
    return drafts;
  }

  /** Discovery's hook: what a run found changed, for servers that monitoring does not (yet) sample. */
  async function onSnapshot(snapshot: {
    orgId: string;
    serverId: string;
    facts: Facts;
    changes: readonly FactChange[];
  }): Promise<void> {
    const server = await deps.servers.rowById(snapshot.serverId);
    if (!server || server.org_id !== snapshot.orgId) return;
    const drafts = draftsFromChanges(snapshot.changes, await deps.ownKeys(snapshot.orgId));
    await recorder.record(snapshot.orgId, { id: server.id, name: server.name }, drafts);
  }

  async function incidentOf(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<IncidentRow> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await detectionStore.incident(db, orgId, id);
    if (!row) throw notFound('The incident');
    return row;
  }

  async function findingOf(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<FindingRow> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await detectionStore.finding(db, orgId, id);
    if (!row) throw notFound('The finding');
    return row;
  }

  async function setFinding(
    actor: Actor,
    orgId: string,
    id: string,
    to: 'acknowledged' | 'closed',
    ctx: RequestContext,
  ): Promise<FindingView> {
    const row = await findingOf(actor, orgId, id, ctx);
    if (row.status === 'closed') throw conflict('The finding is closed already.');
    const at = clock.iso();
    const patch: Partial<FindingRow> =
      to === 'closed'
        ? { status: 'closed', closed_by: actor.userId, closed_at: at }
        : { status: 'acknowledged', acknowledged_by: actor.userId, acknowledged_at: at };
    await db.transaction().execute(async (trx) => {
      await detectionStore.updateFinding(trx, id, patch);
      await deps.audit.record(
        trx,
        {
          action: to === 'closed' ? 'finding.closed' : 'finding.acknowledged',
          orgId,
          actor: auditActor(actor),
          target: { type: 'finding', id },
        },
        ctx,
      );
    });
    return findingView({ ...row, ...patch });
  }

  async function setIncident(
    actor: Actor,
    orgId: string,
    id: string,
    to: 'acknowledged' | 'closed',
    ctx: RequestContext,
  ): Promise<IncidentView> {
    const row = await incidentOf(actor, orgId, id, ctx);
    if (row.status === 'closed') throw conflict('The incident is closed already.');
    const at = clock.iso();
    const patch: Partial<IncidentRow> =
      to === 'closed'
        ? { status: 'closed', closed_by: actor.userId, closed_at: at, updated_at: at }
        : { status: 'acknowledged', acknowledged_by: actor.userId, acknowledged_at: at, updated_at: at };
    const findings = await detectionStore.findingsOfIncidents(db, [id]);
    await db.transaction().execute(async (trx) => {
      await detectionStore.updateIncident(trx, id, patch);
      if (to === 'closed') {
        await detectionStore.closeFindingsOf(trx, id, actor.userId, at);
        for (const serverId of new Set(findings.map((f) => f.server_id).filter((s): s is string => s !== null)))
          await deps.alerts.resolve(orgId, serverId, `incident:${id}`, trx);
      }
      await deps.audit.record(
        trx,
        {
          action: to === 'closed' ? 'incident.closed' : 'incident.acknowledged',
          orgId,
          actor: auditActor(actor),
          target: { type: 'incident', id },
          details: { findings: findings.length },
        },
        ctx,
      );
    });
    return incidentView({ ...row, ...patch }, findings);
  }

  return {
    observe,
    onSnapshot,
    async listFindings(
      actor: Actor,
      orgId: string,
      filter: { status?: string; serverId?: string; incidentId?: string; limit: number },
      ctx: RequestContext,
    ) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await detectionStore.findings(db, orgId, filter)).map(findingView);
    },
    getFinding: async (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      findingView(await findingOf(actor, orgId, id, ctx)),
    acknowledgeFinding: (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      setFinding(actor, orgId, id, 'acknowledged', ctx),
    closeFinding: (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      setFinding(actor, orgId, id, 'closed', ctx),
    async listIncidents(actor: Actor, orgId: string, filter: { status?: string; limit: number }, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const rows = await detectionStore.incidents(db, orgId, filter);
      const findings = await detectionStore.findingsOfIncidents(
        db,
        rows.map((r) => r.id),
      );
      return rows.map((r) =>
        incidentView(
          r,
          findings.filter((f) => f.incident_id === r.id),
        ),
      );
    },
    async getIncident(actor: Actor, orgId: string, id: string, ctx: RequestContext) {
      const row = await incidentOf(actor, orgId, id, ctx);
      const findings = await detectionStore.findingsOfIncidents(db, [id]);
      return { ...incidentView(row, findings), findings: findings.map(findingView) };
    },
    acknowledgeIncident: (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      setIncident(actor, orgId, id, 'acknowledged', ctx),
    closeIncident: (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      setIncident(actor, orgId, id, 'closed', ctx),
    /** An owner asks the operator's security team to look: a suspicious-activity grant for the incident's servers. */
    async requestGrant(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<IncidentView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      const row = await incidentOf(actor, orgId, id, ctx);
      if (row.status === 'closed') throw conflict('The incident is closed.');
      if (row.grant_id) throw conflict('This incident already opened a grant; see it in the access timeline.');
      if (!deps.grants)
        throw new AppError(
          'STEWARD_GRANTS_UNAVAILABLE',
          'Suspicious-activity grants need the staff-access module, which this Steward does not run.',
        );
      const findings = await detectionStore.findingsOfIncidents(db, [id]);
      const serverIds = [...new Set(findings.map((f) => f.server_id).filter((s): s is string => s !== null))];
      const grantId = await recorder.openGrant(
        row,
        serverIds,
        `The customer asked the security team to look into: ${row.title}`,
      );
      const fresh = (await detectionStore.incident(db, orgId, id))!;
      if (!grantId)
        throw new AppError(
          'STEWARD_CONFLICT',
          `The grant could not be opened: ${fresh.grant_note ?? 'unknown reason'}.`,
        );
      return incidentView(fresh, findings);
    },
  };
}

export type DetectionService = ReturnType<typeof createDetectionService>;
