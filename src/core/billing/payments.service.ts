import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import { toMinor } from './billing.rules.js';
import { billingStore } from './billing.store.js';
import type { PaymentMethod, PaymentProvider, PaymentView, RiskSignalSink } from './billing.types.js';
import { balanceOf } from './invoice.views.js';
import { currencyExponent, displayMoney, formatMinor, parseMinor } from './money.js';
import { requireBillingAdmin } from './plans.service.js';
import type { ProfileService } from './profile.service.js';

export interface PaymentsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly providers: readonly PaymentProvider[];
  readonly audit: Pick<AuditService, 'record'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'ownerIds' | 'namesOf' | 'requireMember'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly profile: Pick<ProfileService, 'read'>;
  readonly raiseSignal: RiskSignalSink;
}

/**
 * Payments against invoices, through a payment-provider port. Staff record bank transfers and other manual
 * payments (and transfers that bounced); a card processor plugs in as another provider. A payment that clears the
 * balance marks the invoice paid; a failed one is kept, mailed to the customer and raised for review.
 */
export function createPaymentsService(deps: PaymentsDeps) {
  const { db, clock } = deps;
  const providerFor = (method: PaymentMethod): PaymentProvider => {
    const p = deps.providers.find((x) => x.methods.includes(method));
    if (!p)
      throw invalidInput(`No payment provider takes ${method.replace('_', ' ')} payments here.`, { field: 'method' });
    return p;
  };

  return {
    async record(
      actor: Actor,
      invoiceId: string,
      input: { amount: string; method: PaymentMethod; reference: string | null; failed?: string },
      ctx: RequestContext,
    ): Promise<PaymentView> {
      requireBillingAdmin(actor, 'Recording payments');
      const invoice = await billingStore.invoice(db, invoiceId);
      if (!invoice || invoice.kind !== 'invoice') throw notFound('The invoice');
      const exp = currencyExponent(invoice.currency);
      const amount = parseMinor(input.amount, exp);
      if (amount <= 0n) throw invalidInput('amount must be more than zero.', { field: 'amount' });
      const provider = providerFor(input.method);
      const result = await provider.collect({
        invoiceId,
        number: invoice.number,
        amount: formatMinor(amount, exp),
        currency: invoice.currency,
        method: input.method,
        reference: input.reference,
        ...(input.failed ? { outcome: { ok: false as const, reason: input.failed } } : {}),
      });
      const contact = await deps.profile.read(invoice.customer_org_id);
      const owners = contact
        ? [{ email: contact.email, name: contact.name }]
        : [...(await deps.users.profiles(await deps.orgs.ownerIds(invoice.customer_org_id))).values()];
      const orgName = (await deps.orgs.namesOf([invoice.customer_org_id])).get(invoice.customer_org_id) ?? '';
      const row = {
        id: newId('pay', clock.nowMs()),
        invoice_id: invoiceId,
        customer_org_id: invoice.customer_org_id,
        amount: formatMinor(amount, exp),
        method: input.method,
        provider: provider.name,
        reference: result.reference,
        status: result.ok ? ('succeeded' as const) : ('failed' as const),
        failure: result.ok ? null : result.reason,
        recorded_by: actor.userId,
        recorded_at: clock.iso(),
      };
      await db.transaction().execute(async (trx) => {
        const credits = await billingStore.creditNotesOf(trx, [invoiceId]);
        const before = await billingStore.paymentsOf(trx, [invoiceId]);
        const current = (await billingStore.invoice(trx, invoiceId))!;
        const owed = balanceOf(current, credits, before);
        if (result.ok && amount > owed)
          throw new AppError(
            'STEWARD_BILLING_OVERPAYMENT',
            `${formatMinor(amount, exp)} is more than the ${formatMinor(owed, exp)} outstanding on ${invoice.number}.`,
          );
        await billingStore.insertPayment(trx, row);
        if (result.ok && amount === owed)
          await billingStore.setInvoice(trx, invoiceId, { status: 'paid', paid_at: row.recorded_at });
        await deps.audit.record(
          trx,
          {
            action: result.ok ? 'payment.recorded' : 'payment.failed',
            orgId: invoice.customer_org_id,
            actor: auditActor(actor),
            target: { type: 'invoice', id: invoiceId },
            result: result.ok ? 'ok' : 'failed',
            details: {
              payment: row.id,
              amount: row.amount,
              method: row.method,
              provider: row.provider,
              ...(result.ok ? {} : { reason: result.reason }),
            },
          },
          ctx,
        );
        if (!result.ok) {
          await deps.raiseSignal(trx, {
            orgId: invoice.customer_org_id,
            signal: 'payment_failed',
            key: row.id,
            summary: `A payment of ${row.amount} ${invoice.currency} for ${invoice.number} failed: ${result.reason}.`,
            details: { invoice: invoice.number, payment: row.id, reason: result.reason },
          });
          for (const to of owners)
            await deps.notify.queueMail(trx, {
              to: to.email,
              scope: invoice.customer_org_id,
              orgId: invoice.customer_org_id,
              category: 'transactional',
              template: 'billing.payment_failed',
              vars: {
                name: to.name,
                number: invoice.number,
                orgName,
                amount: displayMoney(toMinor(row.amount, exp), invoice.currency),
                reason: result.reason,
                url: `${deps.publicUrl}/orgs/${invoice.customer_org_id}/billing`,
              },
              dedupeKey: `billing-payment-failed:${row.id}:${to.email.toLowerCase()}`,
            });
        }
      });
      return {
        id: row.id,
        invoiceId,
        amount: row.amount,
        method: row.method,
        provider: row.provider,
        reference: row.reference,
        status: row.status,
        failure: row.failure,
        recordedAt: row.recorded_at,
      };
    },

    async list(actor: Actor, invoiceId: string, ctx: RequestContext): Promise<PaymentView[]> {
      const invoice = await billingStore.invoice(db, invoiceId);
      if (actor.kind === 'staff') requireBillingAdmin(actor, 'Reading payments');
      else if (invoice) await deps.orgs.requireMember(actor, invoice.customer_org_id, 'member', ctx);
      if (!invoice) throw notFound('The invoice');
      return (await billingStore.paymentsOf(db, [invoiceId])).map((p) => ({
        id: p.id,
        invoiceId: p.invoice_id,
        amount: p.amount,
        method: p.method,
        provider: p.provider,
        reference: p.reference,
        status: p.status,
        failure: p.failure,
        recordedAt: p.recorded_at,
      }));
    },
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
