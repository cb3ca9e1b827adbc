/**
 * Turns findings reported by the rules into stored findings and incidents: a repeat of an open finding adds an
 * occurrence; a new one joins a related open incident or opens its own, and the customer hears of it at once
 * (e-mail to the organisation's monitoring recipients, and an alert), in the transaction that records it. A
 * critical incident may open a suspicious-activity grant for the security team.
 */
import { publicMessage } from '../../kernel/errors.js';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import { detectionStore, type FindingRow, type IncidentRow } from './detection.store.js';
import type { FindingDraft, Severity } from './detection.types.js';
import { addressOf, incidentFor, worse } from './grouping.js';
import './templates.js';

/** The staff-access module's side of suspicious-activity grants (core/access), kept to what detection calls. */
export interface SuspiciousActivityGrants {
  openSuspiciousActivityGrant(input: {
    orgId: string;
    incidentId: string;
    serverIds: string[];
    justification: string;
  }): Promise<{ readonly id: string }>;
}

export interface RecorderDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly alerts: Pick<AlertsService, 'raise'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  /** The organisation's monitoring e-mail recipients. */
  readonly recipients: (orgId: string) => Promise<string[]>;
  /** Present when the access module runs; critical incidents then open a grant for the security team. */
  readonly grants?: SuspiciousActivityGrants;
  readonly publicUrl: string;
}

interface Outcome {
  readonly finding: FindingRow;
  readonly opened: IncidentRow | null;
}

const evidenceText = (e: Readonly<Record<string, unknown>>): string => {
  const text = JSON.stringify(e);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
};

export function createRecorder(deps: RecorderDeps) {
  const { db, clock } = deps;

  async function mail(
    trx: Executor,
    input: {
      readonly to: readonly string[];
      readonly orgId: string;
      readonly template: string;
      readonly key: string;
      readonly vars: Record<string, string>;
    },
  ): Promise<void> {
    const { to, orgId, template, key, vars } = input;
    for (const [i, address] of to.entries()) {
      await deps.notify.queueMail(trx, {
        to: address,
        scope: orgId,
        orgId,
        category: 'transactional',
        template,
        vars,
        dedupeKey: `${key}:${i}`,
      });
    }
  }

  async function incidentFindings(trx: Executor, orgId: string) {
    const open = await detectionStore.openIncidents(trx, orgId);
    const findings = await detectionStore.findingsOfIncidents(
      trx,
      open.map((i) => i.id),
    );
    return open.map((i) => ({
      id: i.id,
      severity: i.severity,
      row: i,
      findings: findings
        .filter((f) => f.incident_id === i.id)
        .map((f) => ({
          serverId: f.server_id,
          lastSeenMs: Date.parse(f.last_seen_at),
          address: addressOf(JSON.parse(f.evidence) as Record<string, unknown>),
        })),
    }));
  }

  /** A repeat of an open finding adds an occurrence; null when there is no open finding for the draft. */
  async function repeat(trx: Executor, serverId: string, d: FindingDraft): Promise<Outcome | null> {
    const existing = await detectionStore.openFinding(trx, serverId, d.rule, d.key);
    if (!existing) return null;
    const severity = worse(existing.severity, d.severity);
    await detectionStore.updateFinding(trx, existing.id, {
      last_seen_at: clock.iso(),
      occurrences: existing.occurrences + 1,
      evidence: JSON.stringify(d.evidence),
      severity,
      title: severity !== existing.severity ? d.title : existing.title,
    });
    return { finding: { ...existing, severity }, opened: null };
  }

  async function recordOne(orgId: string, server: { id: string; name: string }, d: FindingDraft): Promise<Outcome> {
    // A finding stays open until someone closes it, so most drafts are repeats, seen at every sample: they need
    // neither the recipients nor the open incidents.
    const repeated = await db.transaction().execute((trx) => repeat(trx, server.id, d));
    if (repeated) return repeated;
    // Read before the transaction: opening the sealed list needs the database, which SQLite gives one connection.
    const to = await deps.recipients(orgId);
    return db.transaction().execute(async (trx): Promise<Outcome> => {
      const at = clock.iso();
      const raced = await repeat(trx, server.id, d);
      if (raced) return raced;
      const open = await incidentFindings(trx, orgId);
      const joinId = incidentFor({ serverId: server.id, address: addressOf(d.evidence), atMs: clock.nowMs() }, open);
      const vars = {
        server: server.name,
        title: d.title,
        severity: d.severity,
        at,
        evidence: evidenceText(d.evidence),
        url: '',
      };
      let incident: IncidentRow;
      let opened: IncidentRow | null = null;
      if (joinId) {
        incident = open.find((i) => i.id === joinId)!.row;
        if (worse(incident.severity, d.severity) !== incident.severity) {
          await detectionStore.updateIncident(trx, incident.id, { severity: d.severity, updated_at: at });
          await mail(trx, {
            to,
            orgId,
            template: 'detection.incident_escalated',
            key: `incident:${incident.id}:${d.rule}:${d.key}`,
            vars: {
              ...vars,
              url: `${deps.publicUrl}/orgs/${orgId}/incidents/${incident.id}`,
            },
          });
        } else await detectionStore.updateIncident(trx, incident.id, { updated_at: at });
      } else {
        incident = {
          id: newId('inc', clock.nowMs()),
          org_id: orgId,
          title: d.title,
          severity: d.severity,
          status: 'open',
          opened_at: at,
          updated_at: at,
          acknowledged_by: null,
          acknowledged_at: null,
          closed_by: null,
          closed_at: null,
          grant_id: null,
          grant_note: null,
        };
        opened = incident;
        await detectionStore.insertIncident(trx, incident);
        await deps.audit.record(trx, {
          action: 'incident.opened',
          orgId,
          actor: { type: 'system' },
          target: { type: 'incident', id: incident.id },
          details: { severity: d.severity, rule: d.rule, server: server.id },
        });
        await mail(trx, {
          to,
          orgId,
          template: 'detection.incident_opened',
          key: `incident:${incident.id}:opened`,
          vars: {
            ...vars,
            url: `${deps.publicUrl}/orgs/${orgId}/incidents/${incident.id}`,
            grant: '',
          },
        });
      }
      const finding: FindingRow = {
        id: newId('fnd', clock.nowMs()),
        org_id: orgId,
        server_id: server.id,
        server_name: server.name,
        rule: d.rule,
        key: d.key,
        severity: d.severity,
        title: d.title,
        evidence: JSON.stringify(d.evidence),
        status: 'open',
        incident_id: incident.id,
        occurrences: 1,
        first_seen_at: at,
        last_seen_at: at,
        acknowledged_by: null,
        acknowledged_at: null,
        closed_by: null,
        closed_at: null,
      };
      await detectionStore.insertFinding(trx, finding);
      await deps.audit.record(trx, {
        action: 'finding.opened',
        orgId,
        actor: { type: 'system' },
        target: { type: 'finding', id: finding.id },
        details: { rule: d.rule, key: d.key, severity: d.severity, server: server.id, incident: incident.id },
      });
      await deps.alerts.raise(
        {
          orgId,
          serverId: server.id,
          kind: `incident:${incident.id}`,
          severity: incident.severity === 'critical' || d.severity === 'critical' ? 'critical' : 'warning',
          title: `${server.name}: ${d.title}`,
          details: { incident: incident.id, finding: finding.id, rule: d.rule },
        },
        trx,
      );
      return { finding, opened };
    });
  }

  /** Opens a suspicious-activity grant for an incident; the outcome is noted on the incident and audited. */
  async function openGrant(incident: IncidentRow, serverIds: string[], justification: string): Promise<string | null> {
    const grants = deps.grants;
    if (!grants) return null;
    try {
      const grant = await grants.openSuspiciousActivityGrant({
        orgId: incident.org_id,
        incidentId: incident.id,
        serverIds,
        justification,
      });
      await db.transaction().execute(async (trx) => {
        await detectionStore.updateIncident(trx, incident.id, {
          grant_id: grant.id,
          grant_note: null,
          updated_at: clock.iso(),
        });
        await deps.audit.record(trx, {
          action: 'incident.grant_opened',
          orgId: incident.org_id,
          actor: { type: 'system' },
          target: { type: 'incident', id: incident.id },
          details: { grant: grant.id, servers: serverIds },
        });
      });
      return grant.id;
    } catch (err) {
      const note = publicMessage(err).slice(0, 300);
      deps.logger.warn({ incident: incident.id, err: note }, 'suspicious-activity grant not opened');
      await detectionStore.updateIncident(db, incident.id, { grant_note: note });
      await deps.audit.recordAlone({
        action: 'incident.grant_failed',
        orgId: incident.org_id,
        actor: { type: 'system' },
        target: { type: 'incident', id: incident.id },
        result: 'failed',
        details: { reason: note },
      });
      return null;
    }
  }

  /** Records what the rules found on one server; returns the findings (new or repeated). */
  async function record(
    orgId: string,
    server: { id: string; name: string },
    drafts: readonly FindingDraft[],
  ): Promise<FindingRow[]> {
    const out: FindingRow[] = [];
    for (const d of drafts) {
      let outcome: Outcome;
      try {
        outcome = await recordOne(orgId, server, d);
      } catch (err) {
        // Another worker recorded the same finding at the same moment (the open-finding index refused ours).
        if (!/unique|duplicate/i.test((err as Error).message)) throw err;
        outcome = await recordOne(orgId, server, d);
      }
      out.push(outcome.finding);
      if (outcome.opened && outcome.opened.severity === 'critical') {
        await openGrant(
          outcome.opened,
          [server.id],
          `Detection on ${server.name}: ${d.title}. The security team may look into it under this grant.`,
        );
      }
    }
    return out;
  }

  return { record, openGrant };
}

export type Recorder = ReturnType<typeof createRecorder>;
export type { Severity };
