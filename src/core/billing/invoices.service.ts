import type { Db, Executor } from '../../db/database.js';
import type { BillingInvoicesTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, requireStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { computeInvoice, monthOf, parsePeriod, periodName, segmentsIn, toMinor } from './billing.rules.js';
import { billingStore } from './billing.store.js';
import type { BillingContact, InvoiceView, RiskSignalSink } from './billing.types.js';
import type * as InvoicePdf from './invoice.pdf.js';
import { balanceOf, invoiceViews, storedLines } from './invoice.views.js';
import { currencyExponent, displayMoney, formatMinor, parseMinor, percentOf } from './money.js';
import { planTerms, requireBillingAdmin } from './plans.service.js';
import type { ProfileService } from './profile.service.js';
import './templates.js';

// pdfkit and its font metrics cost about 30 MiB of memory: loaded when the first document is rendered, not at start.
const renderInvoicePdf: typeof InvoicePdf.renderInvoicePdf = async (input) =>
  (await import('./invoice.pdf.js')).renderInvoicePdf(input);

export interface BillingSettings {
  readonly currency: string;
  readonly invoicePrefix: string;
  readonly creditNotePrefix: string;
  readonly termsDays: number;
  readonly graceDays: number;
  /** The operator's name and address as printed on every invoice (lines separated by newlines). */
  readonly seller: string;
}

export interface InvoicesDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly settings: BillingSettings;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'ownerIds' | 'namesOf'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly profile: Pick<ProfileService, 'read'>;
  readonly raiseSignal: RiskSignalSink;
}

const DAY = 86_400_000;
const STAFF_READERS = ['admin', 'support'];

const billToCtx = (orgId: string, id: string) => ({
  scope: orgId,
  table: 'billing_invoices',
  column: 'bill_to_sealed',
  row: id,
});

/**
 * Invoices and credit notes. At the end of each calendar month (UTC) every organisation that had a plan gets one
 * invoice, numbered in the year's series without gaps (the number is taken in the transaction that writes the
 * invoice; a second worker issuing the same invoice rolls back and gives its number back). The PDF is rendered
 * from the stored document and mailed; an invoice unpaid past its due date and grace period raises the
 * organisation for review and is never deleted.
 */
export function createInvoicesService(deps: InvoicesDeps) {
  const { db, clock, settings } = deps;
  const exponent = currencyExponent(settings.currency);
  const yearOf = (iso: string) => iso.slice(0, 4);
  const numberText = (prefix: string, year: string, n: number) => `${prefix}-${year}-${String(n).padStart(6, '0')}`;

  async function recipientsOf(orgId: string, contact: BillingContact | undefined) {
    if (contact) return [{ email: contact.email, name: contact.name }];
    const owners = await deps.users.profiles(await deps.orgs.ownerIds(orgId));
    return [...owners.values()].map((p) => ({ email: p.email, name: p.name }));
  }

  async function billToOf(row: BillingInvoicesTable) {
    if (!row.bill_to_sealed) return null;
    try {
      const opened = await deps.vault.openText(billToCtx(row.customer_org_id, row.id), row.bill_to_sealed);
      return JSON.parse(opened.reveal()) as BillingContact & { country: string };
    } catch {
      // The organisation was deleted and its key destroyed: the number and amounts stay, the person does not.
      return null;
    }
  }

  async function pdfOf(row: BillingInvoicesTable, view: InvoiceView): Promise<Buffer> {
    const credited = row.credits_invoice_id ? await billingStore.invoice(db, row.credits_invoice_id) : undefined;
    return renderInvoicePdf({
      invoice: view,
      billTo: await billToOf(row),
      seller: settings.seller,
      creditsNumber: credited?.number ?? null,
    });
  }

  /** Who gets the mail and the organisation's name, read before the transaction (inside it only `trx` is used). */
  async function mailPlan(orgId: string, billTo: BillingContact | undefined) {
    return {
      orgName: (await deps.orgs.namesOf([orgId])).get(orgId) ?? '',
      recipients: await recipientsOf(orgId, billTo),
    };
  }

  /** Writes a document with its number, audit event and mail, all in one transaction. */
  async function write(args: {
    readonly trx: Executor;
    readonly row: Omit<BillingInvoicesTable, 'number' | 'bill_to_sealed'>;
    readonly billTo: (BillingContact & { country: string }) | undefined;
    readonly actor: { type: 'system' | 'staff'; id?: string };
    readonly plan: Awaited<ReturnType<typeof mailPlan>>;
    readonly ctx: RequestContext;
  }): Promise<BillingInvoicesTable> {
    const { trx, row, billTo, actor, plan, ctx } = args;
    const series = row.kind === 'invoice' ? settings.invoicePrefix : settings.creditNotePrefix;
    const year = yearOf(row.issued_at);
    const n = await billingStore.nextNumber(trx, `${row.kind}:${series}:${year}`);
    const full: BillingInvoicesTable = {
      ...row,
      number: numberText(series, year, n),
      bill_to_sealed: billTo
        ? await deps.vault.seal(billToCtx(row.customer_org_id, row.id), JSON.stringify(billTo), trx)
        : null,
    };
    await billingStore.insertInvoice(trx, full);
    const [view] = await invoiceViews(trx, [full]);
    await deps.audit.record(
      trx,
      {
        action: row.kind === 'invoice' ? 'invoice.issued' : 'credit_note.issued',
        orgId: row.customer_org_id,
        actor,
        target: { type: 'invoice', id: full.id },
        details: {
          number: full.number,
          period: view!.period,
          total: full.total,
          currency: full.currency,
          ...(row.credits_invoice_id ? { credits: row.credits_invoice_id } : {}),
        },
      },
      ctx,
    );
    const credited = row.credits_invoice_id ? await billingStore.invoice(trx, row.credits_invoice_id) : undefined;
    const pdf = await renderInvoicePdf({
      invoice: view!,
      billTo: billTo ?? null,
      seller: settings.seller,
      creditsNumber: credited?.number ?? null,
    });
    const { orgName } = plan;
    for (const to of plan.recipients) {
      await deps.notify.queueMail(trx, {
        to: to.email,
        scope: row.customer_org_id,
        orgId: row.customer_org_id,
        category: 'transactional',
        template: 'billing.invoice_issued',
        vars: {
          name: to.name,
          kind: row.kind === 'invoice' ? 'Invoice' : 'Credit note',
          number: full.number,
          orgName,
          period: view!.period,
          total: displayMoney(toMinor(full.total, exponent), full.currency),
          due: full.due_at.slice(0, 10),
          credits: credited?.number ?? '',
          url: `${deps.publicUrl}/orgs/${row.customer_org_id}/billing`,
        },
        attachments: [{ filename: `${full.number}.pdf`, contentType: 'application/pdf', content: pdf }],
        dedupeKey: `billing:${full.id}:${to.email.toLowerCase()}`,
      });
    }
    return full;
  }

  /** The invoice for one organisation and month; undefined when it had no plan in that month. */
  async function issueFor(
    orgId: string,
    startMs: number,
    endMs: number,
    actor: { type: 'system' | 'staff'; id?: string },
    ctx: RequestContext,
  ): Promise<BillingInvoicesTable | undefined> {
    const dedupe = `invoice:${orgId}:${periodName(startMs)}`;
    const existing = await billingStore.invoiceByDedupe(db, dedupe);
    if (existing) return existing;
    const plans = new Map((await billingStore.plans(db)).map((p) => [p.id, planTerms(p)]));
    const segments = segmentsIn(
      (await billingStore.subscriptions(db, orgId)).map((s) => ({
        plan: plans.get(s.plan_id)!,
        startsMs: Date.parse(s.starts_at),
        endsMs: s.ends_at ? Date.parse(s.ends_at) : null,
      })),
      startMs,
      endMs,
    );
    if (segments.length === 0) return undefined;
    const usage = (
      await billingStore.usage(db, orgId, new Date(startMs).toISOString(), new Date(endMs).toISOString())
    ).map((u) => ({
      hourMs: Date.parse(u.hour),
      servers: u.servers,
      instances: u.instances,
      monitored: u.monitored,
      backupBytes: BigInt(u.backup_bytes),
    }));
    const contact = await deps.profile.read(orgId);
    const country = contact?.country ?? '*';
    const rate = await billingStore.taxRateFor(db, country);
    const computed = computeInvoice({
      periodStartMs: startMs,
      periodEndMs: endMs,
      segments,
      usage,
      exponent,
      taxPercent: parseMinor(rate?.rate_percent ?? '0', 6),
    });
    const now = clock.nowMs();
    const id = newId('bill', now);
    const billTo = contact
      ? {
          name: contact.name,
          email: contact.email,
          addressLines: contact.addressLines,
          taxId: contact.taxId,
          country: contact.country,
        }
      : undefined;
    const plan = await mailPlan(orgId, billTo);
    try {
      return await db.transaction().execute(async (trx) => {
        if (await billingStore.invoiceByDedupe(trx, dedupe)) return billingStore.invoiceByDedupe(trx, dedupe);
        return write({
          trx,
          row: {
            id,
            customer_org_id: orgId,
            kind: 'invoice',
            dedupe_key: dedupe,
            credits_invoice_id: null,
            period_start: new Date(startMs).toISOString(),
            period_end: new Date(endMs).toISOString(),
            currency: settings.currency,
            lines: storedLines(computed.lines, computed.usage),
            subtotal: formatMinor(computed.subtotal, exponent),
            tax_country: contact?.country ?? '—',
            tax_percent: rate?.rate_percent ?? '0.00',
            tax_label: rate?.label ?? 'Tax',
            tax: formatMinor(computed.tax, exponent),
            total: formatMinor(computed.total, exponent),
            status: computed.total === 0n ? 'paid' : 'open',
            note: null,
            issued_at: new Date(now).toISOString(),
            due_at: new Date(now + settings.termsDays * DAY).toISOString(),
            paid_at: computed.total === 0n ? new Date(now).toISOString() : null,
            overdue_flagged_at: null,
            issued_by: actor.id ?? 'system',
          },
          billTo,
          actor,
          plan,
          ctx,
        });
      });
    } catch (err) {
      // Another worker issued it first (the unique key refused ours, and our number went back with the rollback).
      const winner = await billingStore.invoiceByDedupe(db, dedupe);
      if (winner) return winner;
      throw err;
    }
  }

  async function requireInvoiceFor(actor: Actor, invoiceId: string, ctx: RequestContext) {
    const row = await billingStore.invoice(db, invoiceId);
    if (actor.kind === 'staff') {
      if (!actor.staffRoles.some((r) => STAFF_READERS.includes(r)))
        throw forbidden('Invoices are for admin and support staff.');
      if (!row) throw notFound('The invoice');
      return row;
    }
    if (!row) throw notFound('The invoice');
    await deps.orgs.requireMember(actor, row.customer_org_id, 'member', ctx);
    return row;
  }

  return {
    issueFor,
    billToOf,

    /** Scheduled: invoices for the month that ended, for every organisation that had a plan in it. */
    async issueDue(): Promise<number> {
      const { startMs } = monthOf(clock.nowMs());
      const last = monthOf(startMs - 1);
      let issued = 0;
      const orgs = await billingStore.subscribedOrgs(
        db,
        new Date(last.startMs).toISOString(),
        new Date(last.endMs).toISOString(),
      );
      for (const orgId of orgs) {
        const before = await billingStore.invoiceByDedupe(db, `invoice:${orgId}:${periodName(last.startMs)}`);
        if (before) continue;
        const made = await issueFor(orgId, last.startMs, last.endMs, { type: 'system' }, {}).catch((err: unknown) => {
          deps.logger.error({ org: orgId, err: (err as Error).message }, 'invoice not issued');
          return undefined;
        });
        if (made) issued++;
      }
      return issued;
    },

    /** An operator issues (or re-reads) one organisation's invoice for a finished month now. */
    async issue(actor: Actor, orgId: string, period: string, ctx: RequestContext): Promise<InvoiceView> {
      requireBillingAdmin(actor, 'Issuing invoices');
      const p = parsePeriod(period);
      if (!p) throw invalidInput('period must be a month, YYYY-MM.', { field: 'period' });
      if (p.endMs > clock.nowMs())
        throw new AppError('STEWARD_BILLING_PERIOD_OPEN', `${period} has not ended yet; invoice it once it has.`);
      if ((await deps.orgs.namesOf([orgId])).size === 0) throw notFound('The organisation');
      const row = await issueFor(orgId, p.startMs, p.endMs, auditActor(actor) as { type: 'staff'; id: string }, ctx);
      if (!row)
        throw new AppError(
          'STEWARD_BILLING_NO_PLAN',
          `The organisation had no plan in ${period}, so there is nothing to invoice.`,
        );
      return (await invoiceViews(db, [row]))[0]!;
    },

    /** A credit note against an invoice: the whole of it, or a net amount with the invoice's tax rate. */
    async creditNote(
      actor: Actor,
      invoiceId: string,
      input: { amount?: string; reason: string },
      ctx: RequestContext,
    ): Promise<InvoiceView> {
      requireBillingAdmin(actor, 'Issuing credit notes');
      const now = clock.nowMs();
      const id = newId('bill', now);
      const before = await billingStore.invoice(db, invoiceId);
      if (!before || before.kind !== 'invoice') throw notFound('The invoice');
      const billTo = await billToOf(before);
      const plan = await mailPlan(before.customer_org_id, billTo ?? undefined);
      const row = await db.transaction().execute(async (trx) => {
        const invoice = await billingStore.invoice(trx, invoiceId);
        if (!invoice || invoice.kind !== 'invoice') throw notFound('The invoice');
        const credits = await billingStore.creditNotesOf(trx, [invoiceId]);
        const payments = await billingStore.paymentsOf(trx, [invoiceId]);
        const exp = currencyExponent(invoice.currency);
        const creditable = toMinor(invoice.total, exp) + credits.reduce((n, c) => n + toMinor(c.total, exp), 0n);
        let net: bigint;
        let tax: bigint;
        if (input.amount === undefined) {
          if (credits.length > 0)
            throw new AppError(
              'STEWARD_CONFLICT',
              'The invoice already has a credit note; credit a stated amount of what is left instead.',
            );
          net = toMinor(invoice.subtotal, exp);
          tax = toMinor(invoice.tax, exp);
        } else {
          net = parseMinor(input.amount, exp);
          if (net <= 0n) throw invalidInput('amount must be more than zero.', { field: 'amount' });
          tax = percentOf(net, parseMinor(invoice.tax_percent, 6));
        }
        if (net + tax > creditable)
          throw new AppError(
            'STEWARD_BILLING_OVER_CREDIT',
            `A credit of ${formatMinor(net + tax, exp)} (with tax) is more than the ${formatMinor(creditable, exp)} left to credit on ${invoice.number}.`,
          );
        const written = await write({
          trx,
          row: {
            id,
            customer_org_id: invoice.customer_org_id,
            kind: 'credit_note',
            dedupe_key: `credit:${id}`,
            credits_invoice_id: invoice.id,
            period_start: invoice.period_start,
            period_end: invoice.period_end,
            currency: invoice.currency,
            lines: storedLines(
              [
                {
                  kind: 'credit',
                  description: `Credit against invoice ${invoice.number}: ${input.reason}`,
                  quantity: '1',
                  unitPrice: formatMinor(-net, exp),
                  amount: formatMinor(-net, exp),
                },
              ],
              null,
            ),
            subtotal: formatMinor(-net, exp),
            tax_country: invoice.tax_country,
            tax_percent: invoice.tax_percent,
            tax_label: invoice.tax_label,
            tax: formatMinor(-tax, exp),
            total: formatMinor(-(net + tax), exp),
            status: 'paid',
            note: input.reason,
            issued_at: new Date(now).toISOString(),
            due_at: new Date(now).toISOString(),
            paid_at: new Date(now).toISOString(),
            overdue_flagged_at: null,
            issued_by: actor.userId,
          },
          billTo: billTo ?? undefined,
          actor: { type: 'staff', id: actor.userId },
          plan,
          ctx,
        });
        const after = balanceOf(invoice, [...credits, written], payments);
        if (after === 0n) {
          const fullyCredited = net + tax === creditable && payments.every((p) => p.status !== 'succeeded');
          await billingStore.setInvoice(trx, invoice.id, {
            status: fullyCredited ? 'credited' : 'paid',
            paid_at: invoice.paid_at ?? new Date(now).toISOString(),
          });
        }
        return written;
      });
      return (await invoiceViews(db, [row]))[0]!;
    },

    async listForOrg(actor: Actor, orgId: string, limit: number, ctx: RequestContext): Promise<InvoiceView[]> {
      if (actor.kind === 'staff') {
        if (!actor.staffRoles.some((r) => STAFF_READERS.includes(r)))
          throw forbidden('Invoices are for admin and support staff.');
      } else await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return invoiceViews(db, await billingStore.invoicesOf(db, orgId, limit));
    },
    async listAll(
      actor: Actor,
      filter: { status?: BillingInvoicesTable['status']; limit: number },
    ): Promise<(InvoiceView & { orgName: string })[]> {
      requireStaffRole(actor, STAFF_READERS, 'The invoice list', 'Invoices are for admin and support staff.');
      const views = await invoiceViews(db, await billingStore.invoices(db, filter));
      const names = await deps.orgs.namesOf(views.map((v) => v.orgId));
      return views.map((v) => ({ ...v, orgName: names.get(v.orgId) ?? '(deleted organisation)' }));
    },
    async get(actor: Actor, invoiceId: string, ctx: RequestContext): Promise<InvoiceView> {
      const row = await requireInvoiceFor(actor, invoiceId, ctx);
      return (await invoiceViews(db, [row]))[0]!;
    },
    /** The PDF, rendered from the stored document (the same text as the one mailed at issue). */
    async pdf(actor: Actor, invoiceId: string, ctx: RequestContext): Promise<{ number: string; pdf: Buffer }> {
      const row = await requireInvoiceFor(actor, invoiceId, ctx);
      const [view] = await invoiceViews(db, [row]);
      return { number: row.number, pdf: await pdfOf(row, view!) };
    },

    /** Scheduled: invoices unpaid past due date and grace are raised for review (once) and the customer is told. */
    async flagOverdue(): Promise<number> {
      const cutoff = new Date(clock.nowMs() - settings.graceDays * DAY).toISOString();
      let flagged = 0;
      for (const row of await billingStore.overdue(db, cutoff, 200)) {
        const [view] = await invoiceViews(db, [row]);
        if (!view || view.balance === formatMinor(0n, exponent)) continue;
        const contact = await deps.profile.read(row.customer_org_id);
        const orgName = (await deps.orgs.namesOf([row.customer_org_id])).get(row.customer_org_id) ?? '';
        const recipients = await recipientsOf(row.customer_org_id, contact);
        await db.transaction().execute(async (trx) => {
          await billingStore.setInvoice(trx, row.id, { overdue_flagged_at: clock.iso() });
          await deps.raiseSignal(trx, {
            orgId: row.customer_org_id,
            signal: 'invoice_unpaid',
            key: row.id,
            summary: `Invoice ${row.number} (${view.total} ${row.currency}) is unpaid ${settings.graceDays} days after it was due.`,
            details: { invoice: row.number, dueAt: row.due_at, balance: view.balance },
          });
          await deps.audit.record(trx, {
            action: 'invoice.overdue',
            orgId: row.customer_org_id,
            actor: { type: 'system' },
            target: { type: 'invoice', id: row.id },
            details: { number: row.number, dueAt: row.due_at, balance: view.balance },
          });
          for (const to of recipients)
            await deps.notify.queueMail(trx, {
              to: to.email,
              scope: row.customer_org_id,
              orgId: row.customer_org_id,
              category: 'transactional',
              template: 'billing.invoice_overdue',
              vars: {
                name: to.name,
                number: row.number,
                orgName,
                total: displayMoney(toMinor(row.total, exponent), row.currency),
                balance: displayMoney(toMinor(view.balance, exponent), row.currency),
                due: row.due_at.slice(0, 10),
                url: `${deps.publicUrl}/orgs/${row.customer_org_id}/billing`,
              },
              dedupeKey: `billing-overdue:${row.id}:${to.email.toLowerCase()}`,
            });
        });
        flagged++;
      }
      return flagged;
    },
  };
}

export type InvoicesService = ReturnType<typeof createInvoicesService>;
