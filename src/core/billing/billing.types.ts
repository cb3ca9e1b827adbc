import type { Executor } from '../../db/database.js';
import type { BillingInvoicesTable, BillingPaymentsTable } from '../../db/schema.js';
import type { InvoiceLine, UsageSummary } from './billing.rules.js';

/** Plans name the support their customers get; the console shows it beside the plan. */
export const SUPPORT_TIERS = ['community', 'standard', 'priority'] as const;
export type SupportTier = (typeof SUPPORT_TIERS)[number];

export interface PlanView {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly currency: string;
  readonly monthlyPrice: string;
  readonly includedServers: number;
  readonly serverHourPrice: string;
  readonly backupGibMonthPrice: string;
  readonly monitoredServerHourPrice: string;
  readonly supportTier: SupportTier;
  readonly active: boolean;
  readonly createdAt: string;
}

/** The billing contact and address: personal data, sealed under the organisation's key. */
export interface BillingContact {
  readonly name: string;
  readonly email: string;
  readonly addressLines: string[];
  readonly taxId: string | null;
}

export interface BillingProfileView extends BillingContact {
  readonly country: string;
  readonly updatedAt: string;
  /** Fields shown masked to this reader (staff without the need); empty for the organisation's members. */
  readonly masked: ('name' | 'email' | 'address' | 'taxId')[];
}

export interface InvoiceView {
  readonly id: string;
  readonly orgId: string;
  readonly number: string;
  readonly kind: BillingInvoicesTable['kind'];
  readonly creditsInvoiceId: string | null;
  readonly period: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly currency: string;
  readonly lines: InvoiceLine[];
  readonly usage: UsageSummary | null;
  readonly subtotal: string;
  readonly taxLabel: string;
  readonly taxPercent: string;
  readonly taxCountry: string;
  readonly tax: string;
  readonly total: string;
  /** What is still owed: total less credit notes and payments (never below zero). */
  readonly balance: string;
  readonly status: BillingInvoicesTable['status'];
  readonly note: string | null;
  readonly issuedAt: string;
  readonly dueAt: string;
  readonly paidAt: string | null;
}

export interface PaymentView {
  readonly id: string;
  readonly invoiceId: string;
  readonly amount: string;
  readonly method: BillingPaymentsTable['method'];
  readonly provider: string;
  readonly reference: string | null;
  readonly status: BillingPaymentsTable['status'];
  readonly failure: string | null;
  readonly recordedAt: string;
}

/**
 * Backup storage per organisation, and whether a database has a backup plan. Billing reads the bytes each
 * metered hour; recommendations ask about plans. Until a backups module provides its own, the stand-in says 0
 * bytes and "unknown".
 */
export interface BackupsPort {
  storageBytes(orgIds: readonly string[]): Promise<Map<string, bigint>>;
  hasBackupPlan(orgId: string, serverId: string, database: string): Promise<'yes' | 'no' | 'unknown'>;
}

/** What Steward manages per organisation right now, from the modules that record it. */
export interface UsageSource {
  /** Servers in the inventory (enrolled or being looked after), by organisation. */
  servers(): Promise<Map<string, number>>;
  /** Running provider instances that are not (yet) servers in the inventory, by organisation. */
  instances(): Promise<Map<string, number>>;
  /** Servers with monitoring switched on, by organisation. */
  monitored(): Promise<Map<string, number>>;
}

export const PAYMENT_METHODS = ['bank_transfer', 'manual', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/**
 * Where money comes from. The manual provider records what staff saw arrive (a bank transfer, a cheque); a card
 * processor implements `collect` against its own API and reports success or failure the same way.
 */
export interface PaymentProvider {
  readonly name: string;
  readonly methods: readonly PaymentMethod[];
  collect(input: {
    invoiceId: string;
    number: string;
    amount: string;
    currency: string;
    method: PaymentMethod;
    reference: string | null;
    /** For the manual provider: staff say whether the money arrived (a bounced transfer is a failure). */
    outcome?: { ok: true } | { ok: false; reason: string };
  }): Promise<{ ok: true; reference: string | null } | { ok: false; reason: string; reference: string | null }>;
}

/** The manual / bank-transfer provider: the staff member's word is the record. */
export const MANUAL_PAYMENTS: PaymentProvider = {
  name: 'manual',
  methods: ['bank_transfer', 'manual'],
  async collect(input) {
    const outcome = input.outcome ?? { ok: true };
    return outcome.ok
      ? { ok: true, reference: input.reference }
      : { ok: false, reason: outcome.reason, reference: input.reference };
  },
};

/** Raised to the fraud and abuse review (the trust module), inside the caller's transaction. */
export type RiskSignalSink = (
  exec: Executor,
  signal: {
    orgId: string;
    signal: 'payment_failed' | 'invoice_unpaid';
    key: string;
    summary: string;
    details: Record<string, unknown>;
  },
) => Promise<void>;
