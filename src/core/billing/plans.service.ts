import type { Db } from '../../db/database.js';
import type { BillingPlansTable, BillingTaxRatesTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, requireStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import { billingStore } from './billing.store.js';
import { cheapestPlanFor, type PlanTerms } from './billing.rules.js';
import type { PlanView, SupportTier } from './billing.types.js';
import { currencyExponent, formatMinor, formatPrice, parsePrice } from './money.js';

export interface PlansDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly currency: string;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
}

export interface NewPlan {
  readonly code: string;
  readonly name: string;
  readonly monthlyPrice: string;
  readonly includedServers: number;
  readonly serverHourPrice: string;
  readonly backupGibMonthPrice: string;
  /** Price per hour of a server with monitoring switched on (default 0: monitoring included). */
  readonly monitoredServerHourPrice?: string;
  readonly supportTier: SupportTier;
}

export const planView = (r: BillingPlansTable): PlanView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  currency: r.currency,
  monthlyPrice: formatPrice(parsePrice(r.monthly_price, 'monthlyPrice')),
  includedServers: r.included_servers,
  serverHourPrice: formatPrice(parsePrice(r.server_hour_price, 'serverHourPrice')),
  backupGibMonthPrice: formatPrice(parsePrice(r.backup_gib_month_price, 'backupGibMonthPrice')),
  monitoredServerHourPrice: formatPrice(parsePrice(r.monitored_server_hour_price, 'monitoredServerHourPrice')),
  supportTier: r.support_tier as SupportTier,
  active: r.active === 1,
  createdAt: r.created_at,
});

export const planTerms = (r: BillingPlansTable): PlanTerms => ({
  id: r.id,
  name: r.name,
  monthlyPrice: parsePrice(r.monthly_price, 'monthlyPrice'),
  includedServers: r.included_servers,
  serverHourPrice: parsePrice(r.server_hour_price, 'serverHourPrice'),
  backupGibMonthPrice: parsePrice(r.backup_gib_month_price, 'backupGibMonthPrice'),
  monitoredServerHourPrice: parsePrice(r.monitored_server_hour_price, 'monitoredServerHourPrice'),
});

export function requireBillingAdmin(actor: Actor, what: string): void {
  requireStaffRole(actor, ['admin'], 'The billing page', `${what} needs the admin staff role.`);
}

const nonNegative = (text: string, field: string): string => {
  const v = parsePrice(text, field);
  if (v < 0n) throw invalidInput(`${field} must not be negative.`, { field });
  return formatPrice(v);
};

/**
 * Plans the operator defines, which plan each organisation is on (a history, so a change mid-period is prorated),
 * and tax rates by country. A plan's prices never change once created: a new price is a new plan, so an invoice
 * always bills the prices that were on offer when the hours were used.
 */
export function createPlansService(deps: PlansDeps) {
  const { db, clock } = deps;
  currencyExponent(deps.currency);

  async function selectPlan(actor: Actor, orgId: string, planId: string, ctx: RequestContext) {
    if (actor.kind === 'staff') requireBillingAdmin(actor, 'Changing an organisation’s plan');
    else await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
    return db.transaction().execute(async (trx) => {
      const plan = await billingStore.plan(trx, planId);
      if (!plan || (plan.active !== 1 && actor.kind !== 'staff')) throw notFound('The plan');
      const current = await billingStore.currentSubscription(trx, orgId);
      if (current?.plan_id === planId)
        throw new AppError('STEWARD_CONFLICT', `The organisation is already on the ${plan.name} plan.`);
      const now = clock.iso();
      if (current) await billingStore.endSubscription(trx, current.id, now);
      await billingStore.insertSubscription(trx, {
        id: newId('sub', clock.nowMs()),
        org_id: orgId,
        plan_id: planId,
        starts_at: now,
        ends_at: null,
        set_by: actor.userId,
        created_at: now,
      });
      await deps.audit.record(
        trx,
        {
          action: 'billing.plan_changed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: { from: current?.plan_id ?? null, to: planId, at: now },
        },
        ctx,
      );
      return { plan: planView(plan), since: now };
    });
  }

  return {
    async createPlan(actor: Actor, input: NewPlan, ctx: RequestContext): Promise<PlanView> {
      requireBillingAdmin(actor, 'Defining plans');
      const now = clock.iso();
      const row: BillingPlansTable = {
        id: newId('plan', clock.nowMs()),
        code: input.code,
        name: input.name,
        currency: deps.currency,
        monthly_price: nonNegative(input.monthlyPrice, 'monthlyPrice'),
        included_servers: input.includedServers,
        server_hour_price: nonNegative(input.serverHourPrice, 'serverHourPrice'),
        backup_gib_month_price: nonNegative(input.backupGibMonthPrice, 'backupGibMonthPrice'),
        monitored_server_hour_price: nonNegative(input.monitoredServerHourPrice ?? '0', 'monitoredServerHourPrice'),
        support_tier: input.supportTier,
        active: 1,
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        if (await billingStore.planByCode(trx, input.code))
          throw new AppError('STEWARD_CONFLICT', `A plan with the code ${input.code} exists; choose another code.`);
        await billingStore.insertPlan(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'plan.created',
            actor: auditActor(actor),
            target: { type: 'plan', id: row.id },
            details: {
              code: row.code,
              monthlyPrice: row.monthly_price,
              includedServers: row.included_servers,
              serverHourPrice: row.server_hour_price,
              backupGibMonthPrice: row.backup_gib_month_price,
              monitoredServerHourPrice: row.monitored_server_hour_price,
              supportTier: row.support_tier,
            },
          },
          ctx,
        );
      });
      return planView(row);
    },

    /** Renames a plan, changes its support tier or takes it off (or back on) offer; prices stay as they are. */
    async updatePlan(
      actor: Actor,
      planId: string,
      patch: { name?: string; supportTier?: SupportTier; active?: boolean },
      ctx: RequestContext,
    ): Promise<PlanView> {
      requireBillingAdmin(actor, 'Changing plans');
      return db.transaction().execute(async (trx) => {
        const plan = await billingStore.plan(trx, planId);
        if (!plan) throw notFound('The plan');
        const next: Partial<BillingPlansTable> = {
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.supportTier !== undefined ? { support_tier: patch.supportTier } : {}),
          ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
          updated_at: clock.iso(),
        };
        await billingStore.updatePlan(trx, planId, next);
        await deps.audit.record(
          trx,
          { action: 'plan.changed', actor: auditActor(actor), target: { type: 'plan', id: planId }, details: patch },
          ctx,
        );
        return planView({ ...plan, ...next });
      });
    },

    /** Plans on offer; staff see withdrawn ones too. */
    async listPlans(actor: Actor): Promise<PlanView[]> {
      const rows = await billingStore.plans(db);
      return rows.filter((r) => r.active === 1 || actor.kind === 'staff').map(planView);
    },

    selectPlan,

    /** The organisation's plan now and its history (members read it). */
    async planOf(actor: Actor, orgId: string, ctx: RequestContext) {
      if (actor.kind !== 'staff' || actor.staffRoles.length === 0)
        await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const subs = await billingStore.subscriptions(db, orgId);
      const plans = new Map((await billingStore.plans(db)).map((p) => [p.id, p]));
      const history = subs.map((s) => ({
        plan: planView(plans.get(s.plan_id)!),
        startsAt: s.starts_at,
        endsAt: s.ends_at,
      }));
      return { current: history.find((h) => h.endsAt === null)?.plan ?? null, history };
    },

    async setTaxRate(
      actor: Actor,
      input: { country: string; ratePercent: string; label: string },
      ctx: RequestContext,
    ): Promise<{ country: string; ratePercent: string; label: string }> {
      requireBillingAdmin(actor, 'Setting tax rates');
      const rate = parsePrice(input.ratePercent, 'ratePercent');
      if (rate < 0n || rate > 100_000_000n)
        throw invalidInput('ratePercent must be between 0 and 100.', { field: 'ratePercent' });
      const row: BillingTaxRatesTable = {
        country: input.country,
        rate_percent: formatPrice(rate),
        label: input.label,
        updated_by: actor.userId,
        updated_at: clock.iso(),
      };
      await db.transaction().execute(async (trx) => {
        await billingStore.upsertTaxRate(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'tax_rate.set',
            actor: auditActor(actor),
            target: { type: 'tax_rate', id: row.country },
            details: { country: row.country, ratePercent: row.rate_percent, label: row.label },
          },
          ctx,
        );
      });
      return { country: row.country, ratePercent: row.rate_percent, label: row.label };
    },
    async removeTaxRate(actor: Actor, country: string, ctx: RequestContext): Promise<void> {
      requireBillingAdmin(actor, 'Setting tax rates');
      await db.transaction().execute(async (trx) => {
        const res = await billingStore.deleteTaxRate(trx, country);
        if (Number(res.numDeletedRows) === 0) throw notFound(`A tax rate for ${country}`);
        await deps.audit.record(
          trx,
          { action: 'tax_rate.removed', actor: auditActor(actor), target: { type: 'tax_rate', id: country } },
          ctx,
        );
      });
    },
    /**
     * Whether another plan on offer would have cost less for the organisation's last 30 days of metered usage (no
     * authorisation: recommendations call it for a member who consented). Undefined when the current plan fits.
     */
    async adviceFor(orgId: string): Promise<{ current: PlanView; better: PlanView; saving: string } | undefined> {
      const sub = await billingStore.currentSubscription(db, orgId);
      if (!sub) return undefined;
      const now = clock.nowMs();
      const rows = await billingStore.usage(
        db,
        orgId,
        new Date(now - 30 * 86_400_000).toISOString(),
        new Date(now).toISOString(),
      );
      if (rows.length < 24) return undefined; // less than a day of usage says nothing about fit
      const usage = rows.map((u) => ({
        hourMs: Date.parse(u.hour),
        servers: u.servers,
        instances: u.instances,
        monitored: u.monitored,
        backupBytes: BigInt(u.backup_bytes),
      }));
      const all = await billingStore.plans(db);
      const offer = all.filter((p) => p.active === 1 || p.id === sub.plan_id);
      const exponent = currencyExponent(deps.currency);
      const costs = cheapestPlanFor(offer.map(planTerms), usage, exponent);
      const current = costs.find((c) => c.plan.id === sub.plan_id);
      const best = costs[0];
      if (!current || !best || best.plan.id === sub.plan_id || best.cost >= current.cost) return undefined;
      return {
        current: planView(all.find((p) => p.id === sub.plan_id)!),
        better: planView(all.find((p) => p.id === best.plan.id)!),
        saving: formatMinor(current.cost - best.cost, exponent),
      };
    },

    async taxRates() {
      return (await billingStore.taxRates(db)).map((r) => ({
        country: r.country,
        ratePercent: r.rate_percent,
        label: r.label,
        updatedAt: r.updated_at,
      }));
    },
  };
}

export type PlansService = ReturnType<typeof createPlansService>;
