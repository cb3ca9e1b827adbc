/**
 * Alert rules and their evaluation: each look at a server (a sample, or no answer) is judged against the rules
 * that apply to it; a rule that starts firing raises an alert and mails the recipients once, and one that clears
 * resolves it with one more mail. Mails carry de-duplication keys, so a retried evaluation never mails twice.
 */
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { judge, type Observation } from './alerting.rules.js';
import { alertingStore, type RuleRow, type StateRow } from './alerting.store.js';
import { METRIC_NAME } from './metrics.query.js';
import './templates.js';

export interface AlertingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'record'>;
  readonly alerts: Pick<AlertsService, 'raise' | 'resolve' | 'list'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer'>;
  readonly recipients: (orgId: string) => Promise<string[]>;
  readonly publicUrl: string;
}

export interface RuleInput {
  readonly name: string;
  readonly kind: RuleRow['kind'];
  readonly metric?: string | null;
  readonly comparison?: 'above' | 'below' | null;
  readonly threshold?: number | null;
  readonly durationSeconds: number;
  readonly serverId?: string | null;
  readonly severity: RuleRow['severity'];
  readonly enabled?: boolean;
}

const ALERT_KIND = 'monitoring:';
export const alertKindOf = (ruleId: string): string => `${ALERT_KIND}${ruleId}`;

export const ruleView = (r: RuleRow) => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  metric: r.metric,
  comparison: r.comparison,
  threshold: r.threshold,
  durationSeconds: r.duration_seconds,
  serverId: r.server_id,
  severity: r.severity,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});
export type RuleView = ReturnType<typeof ruleView>;

/** Checks a rule's fields as a whole (a threshold rule needs its metric, comparison and threshold). */
export function assertValidRule(r: RuleInput): void {
  if (r.name.trim().length === 0 || r.name.length > 200)
    throw invalidInput('name must be 1 to 200 characters.', { field: 'name' });
  if (!Number.isInteger(r.durationSeconds) || r.durationSeconds < 0 || r.durationSeconds > 7 * 86_400)
    throw invalidInput('durationSeconds must be a whole number from 0 to 604800.', { field: 'durationSeconds' });
  if (r.kind === 'threshold') {
    if (!r.metric || !METRIC_NAME.test(r.metric))
      throw invalidInput('A threshold rule needs a metric such as disk.used_pct or load.1.', { field: 'metric' });
    if (r.comparison !== 'above' && r.comparison !== 'below')
      throw invalidInput('A threshold rule needs comparison "above" or "below".', { field: 'comparison' });
    if (typeof r.threshold !== 'number' || !Number.isFinite(r.threshold))
      throw invalidInput('A threshold rule needs a numeric threshold.', { field: 'threshold' });
  } else if (r.metric || r.comparison || (r.threshold !== undefined && r.threshold !== null)) {
    throw invalidInput('An unreachable rule takes no metric, comparison or threshold.', { field: 'kind' });
  }
}

const describe = (r: RuleRow): string =>
  r.kind === 'unreachable'
    ? `the server did not answer for ${r.duration_seconds} s`
    : `${r.metric} ${r.comparison} ${r.threshold} for ${r.duration_seconds} s`;

export function createAlertingService(deps: AlertingDeps) {
  const { db, clock } = deps;

  async function mail(
    trx: Executor,
    input: {
      readonly recipients: readonly string[];
      readonly orgId: string;
      readonly template: string;
      readonly key: string;
      readonly vars: Record<string, string>;
    },
  ): Promise<void> {
    const { recipients, orgId, template, key, vars } = input;
    for (const [i, to] of recipients.entries()) {
      await deps.notify.queueMail(trx, {
        to,
        scope: orgId,
        orgId,
        category: 'transactional',
        template,
        vars,
        dedupeKey: `${key}:${i}`,
      });
    }
  }

  /** Judges one look at a server against every rule that applies to it; returns what fired and resolved. */
  async function evaluate(
    orgId: string,
    server: { id: string; name: string },
    obs: Observation,
  ): Promise<{ fired: string[]; resolved: string[] }> {
    const fired: string[] = [];
    const resolved: string[] = [];
    const rules = await alertingStore.rulesWithStates(db, orgId, server.id);
    const nowMs = clock.nowMs();
    for (const { rule, state } of rules) {
      const verdict = judge(rule, state, obs, nowMs);
      if (!verdict.fire && !verdict.resolve && sameState(state, verdict.next)) continue;
      // Read before the transaction: opening the sealed list needs the database (one connection on SQLite).
      const recipients = verdict.fire || verdict.resolve ? await deps.recipients(orgId) : [];
      await db.transaction().execute(async (trx) => {
        const at = clock.iso();
        const url = `${deps.publicUrl}/orgs/${orgId}/servers/${server.id}`;
        const vars = {
          server: server.name,
          rule: rule.name,
          severity: rule.severity,
          condition: describe(rule),
          since: new Date(verdict.next?.sinceMs ?? state?.since_ms ?? nowMs).toISOString(),
          url,
        };
        let alertId = state?.alert_id ?? null;
        if (verdict.fire) {
          alertId = await deps.alerts.raise(
            {
              orgId,
              serverId: server.id,
              kind: alertKindOf(rule.id),
              severity: rule.severity,
              title: `${server.name}: ${rule.name}`,
              details: { rule: rule.id, value: verdict.next?.value ?? null, subject: verdict.next?.subject ?? null },
            },
            trx,
          );
          await mail(trx, {
            recipients,
            orgId,
            template: 'monitoring.alert_fired',
            key: `alert:${alertId}:fired`,
            vars: {
              ...vars,
              value:
                verdict.next?.value === null || verdict.next?.value === undefined ? '' : String(verdict.next.value),
              subject: verdict.next?.subject ?? '',
            },
          });
          await deps.audit.record(trx, {
            action: 'alert.fired',
            orgId,
            actor: { type: 'system' },
            target: { type: 'server', id: server.id },
            details: { rule: rule.id, alert: alertId, value: verdict.next?.value ?? null },
          });
          fired.push(rule.id);
        }
        if (verdict.resolve && state) {
          await deps.alerts.resolve(orgId, server.id, alertKindOf(rule.id), trx);
          await mail(trx, {
            recipients,
            orgId,
            template: 'monitoring.alert_resolved',
            key: `alert:${state.alert_id ?? `${rule.id}:${state.since_ms}`}:resolved`,
            vars: { ...vars, since: new Date(state.since_ms).toISOString(), at },
          });
          await deps.audit.record(trx, {
            action: 'alert.resolved',
            orgId,
            actor: { type: 'system' },
            target: { type: 'server', id: server.id },
            details: { rule: rule.id, alert: state.alert_id },
          });
          resolved.push(rule.id);
        }
        if (verdict.next) {
          const row: StateRow = {
            rule_id: rule.id,
            server_id: server.id,
            org_id: orgId,
            state: verdict.next.state,
            since_ms: verdict.next.sinceMs,
            value: verdict.next.value,
            subject: verdict.next.subject,
            alert_id: verdict.next.state === 'firing' ? alertId : null,
            updated_at: at,
          };
          await alertingStore.upsertState(trx, row);
        } else if (state) await alertingStore.deleteState(trx, rule.id, server.id);
      });
    }
    return { fired, resolved };
  }

  async function ruleOf(
    actor: Actor,
    orgId: string,
    id: string,
    ctx: RequestContext,
    role: 'member' | 'owner',
  ): Promise<RuleRow> {
    await deps.orgs.requireMember(actor, orgId, role, ctx);
    const row = await alertingStore.rule(db, orgId, id);
    if (!row) throw notFound('The alert rule');
    return row;
  }

  async function checkServer(
    actor: Actor,
    orgId: string,
    serverId: string | null | undefined,
    ctx: RequestContext,
  ): Promise<void> {
    if (serverId) await deps.servers.requireServer(actor, orgId, serverId, ctx);
  }

  return {
    evaluate,
    async listRules(actor: Actor, orgId: string, ctx: RequestContext): Promise<RuleView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await alertingStore.rules(db, orgId)).map(ruleView);
    },
    async createRule(actor: Actor, orgId: string, input: RuleInput, ctx: RequestContext): Promise<RuleView> {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      assertValidRule(input);
      await checkServer(actor, orgId, input.serverId, ctx);
      const at = clock.iso();
      const row: RuleRow = {
        id: newId('rule', clock.nowMs()),
        org_id: orgId,
        name: input.name.trim(),
        kind: input.kind,
        metric: input.metric ?? null,
        comparison: input.comparison ?? null,
        threshold: input.threshold ?? null,
        duration_seconds: input.durationSeconds,
        server_id: input.serverId ?? null,
        severity: input.severity,
        enabled: input.enabled === false ? 0 : 1,
        created_by: actor.userId,
        created_at: at,
        updated_at: at,
      };
      await db.transaction().execute(async (trx) => {
        await alertingStore.insertRule(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'alert_rule.created',
            orgId,
            actor: auditActor(actor),
            target: { type: 'alert_rule', id: row.id },
            details: { name: row.name, kind: row.kind, metric: row.metric },
          },
          ctx,
        );
      });
      return ruleView(row);
    },
    async updateRule(
      actor: Actor,
      orgId: string,
      id: string,
      patch: Partial<RuleInput>,
      ctx: RequestContext,
    ): Promise<RuleView> {
      const row = await ruleOf(actor, orgId, id, ctx, 'owner');
      const merged: RuleInput = {
        name: patch.name ?? row.name,
        kind: patch.kind ?? row.kind,
        metric: patch.metric !== undefined ? patch.metric : row.metric,
        comparison: patch.comparison !== undefined ? patch.comparison : row.comparison,
        threshold: patch.threshold !== undefined ? patch.threshold : row.threshold,
        durationSeconds: patch.durationSeconds ?? row.duration_seconds,
        serverId: patch.serverId !== undefined ? patch.serverId : row.server_id,
        severity: patch.severity ?? row.severity,
        enabled: patch.enabled ?? row.enabled === 1,
      };
      assertValidRule(merged);
      await checkServer(actor, orgId, merged.serverId, ctx);
      const next: RuleRow = {
        ...row,
        name: merged.name.trim(),
        kind: merged.kind,
        metric: merged.metric ?? null,
        comparison: merged.comparison ?? null,
        threshold: merged.threshold ?? null,
        duration_seconds: merged.durationSeconds,
        server_id: merged.serverId ?? null,
        severity: merged.severity,
        enabled: merged.enabled ? 1 : 0,
        updated_at: clock.iso(),
      };
      // A rule switched off lets go of every server; one narrowed to a single server lets go of the others. What it
      // raised on them resolves now, as on deletion, or it would stay open for ever. A changed condition is judged
      // at the next sample, which resolves (and mails) what no longer holds.
      const released = (st: StateRow) => !next.enabled || (next.server_id !== null && st.server_id !== next.server_id);
      const dropped = (await alertingStore.statesOfRule(db, id)).filter(released);
      await db.transaction().execute(async (trx) => {
        await alertingStore.updateRule(trx, id, next);
        for (const st of dropped) {
          if (st.state === 'firing') await deps.alerts.resolve(orgId, st.server_id, alertKindOf(id), trx);
          await alertingStore.deleteState(trx, id, st.server_id);
        }
        await deps.audit.record(
          trx,
          {
            action: 'alert_rule.changed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'alert_rule', id },
            details: { fields: Object.keys(patch) },
          },
          ctx,
        );
      });
      return ruleView(next);
    },
    async deleteRule(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
      await ruleOf(actor, orgId, id, ctx, 'owner');
      const states = await alertingStore.statesOfRule(db, id);
      await db.transaction().execute(async (trx) => {
        // Alerts of a rule that no longer exists would stay open for ever.
        for (const s of states)
          if (s.state === 'firing') await deps.alerts.resolve(orgId, s.server_id, alertKindOf(id), trx);
        await alertingStore.deleteRule(trx, id);
        await deps.audit.record(
          trx,
          { action: 'alert_rule.deleted', orgId, actor: auditActor(actor), target: { type: 'alert_rule', id } },
          ctx,
        );
      });
    },
    /** Alerts raised by the monitoring rules (open and resolved), newest first. */
    async listEvents(actor: Actor, orgId: string, filter: { open?: boolean; limit: number }, ctx: RequestContext) {
      const alerts = await deps.alerts.list(
        actor,
        orgId,
        { open: filter.open, limit: filter.limit, kindPrefix: ALERT_KIND },
        ctx,
      );
      return alerts.map((a) => ({ ...a, ruleId: a.kind.slice(ALERT_KIND.length) }));
    },
  };
}

function sameState(
  state: StateRow | null,
  next: { state: string; sinceMs: number; value: number | null; subject: string | null } | null,
): boolean {
  if (!state || !next) return state === null && next === null;
  return (
    state.state === next.state &&
    state.since_ms === next.sinceMs &&
    state.value === next.value &&
    state.subject === next.subject
  );
}

export type AlertingService = ReturnType<typeof createAlertingService>;
