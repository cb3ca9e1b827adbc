import type { Executor } from '../../db/database.js';
import type { BillingInvoicesTable } from '../../db/schema.js';
import { periodName, toMinor, type InvoiceLine, type UsageSummary } from './billing.rules.js';
import { billingStore } from './billing.store.js';
import type { InvoiceView } from './billing.types.js';
import { currencyExponent, formatMinor } from './money.js';

interface StoredLines {
  readonly lines: InvoiceLine[];
  readonly usage: UsageSummary | null;
}

/**
 * What is still owed on an invoice: its total less the credit notes against it and the payments that succeeded,
 * never below zero. Credit notes carry negative totals.
 */
export function balanceOf(
  invoice: BillingInvoicesTable,
  credits: readonly BillingInvoicesTable[],
  paid: readonly { amount: string; status: string }[],
): bigint {
  const exp = currencyExponent(invoice.currency);
  const owed =
    toMinor(invoice.total, exp) +
    credits.reduce((n, c) => n + toMinor(c.total, exp), 0n) -
    paid.filter((p) => p.status === 'succeeded').reduce((n, p) => n + toMinor(p.amount, exp), 0n);
  return owed < 0n ? 0n : owed;
}

/** Views of invoices with their balances, reading their credit notes and payments in two queries. */
export async function invoiceViews(db: Executor, rows: readonly BillingInvoicesTable[]): Promise<InvoiceView[]> {
  const ids = rows.filter((r) => r.kind === 'invoice').map((r) => r.id);
  const credits = await billingStore.creditNotesOf(db, ids);
  const payments = await billingStore.paymentsOf(db, ids);
  return rows.map((r) => {
    const stored = JSON.parse(r.lines) as StoredLines;
    const exp = currencyExponent(r.currency);
    const balance =
      r.kind === 'invoice'
        ? balanceOf(
            r,
            credits.filter((c) => c.credits_invoice_id === r.id),
            payments.filter((p) => p.invoice_id === r.id),
          )
        : 0n;
    return {
      id: r.id,
      orgId: r.customer_org_id,
      number: r.number,
      kind: r.kind,
      creditsInvoiceId: r.credits_invoice_id,
      period: periodName(Date.parse(r.period_start)),
      periodStart: r.period_start,
      periodEnd: r.period_end,
      currency: r.currency,
      lines: stored.lines,
      usage: stored.usage,
      subtotal: r.subtotal,
      taxLabel: r.tax_label,
      taxPercent: r.tax_percent,
      taxCountry: r.tax_country,
      tax: r.tax,
      total: r.total,
      balance: formatMinor(balance, exp),
      status: r.status,
      note: r.note,
      issuedAt: r.issued_at,
      dueAt: r.due_at,
      paidAt: r.paid_at,
    };
  });
}

export const storedLines = (lines: InvoiceLine[], usage: UsageSummary | null): string =>
  JSON.stringify({ lines, usage } satisfies StoredLines);
