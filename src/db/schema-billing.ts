/**
 * Table types for plans, usage and invoices (migration 0014) and for terms, the staff undertaking, the review
 * queue, suspensions and recommendations (0015). Money columns hold exact decimals as text ("12.50").
 */

export interface BillingPlansTable {
  id: string;
  code: string;
  name: string;
  currency: string;
  monthly_price: string;
  included_servers: number;
  server_hour_price: string;
  backup_gib_month_price: string;
  monitored_server_hour_price: string;
  support_tier: string;
  active: number;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** Which plan an organisation was on, and when: the history proration reads. */
export interface BillingSubscriptionsTable {
  id: string;
  org_id: string;
  plan_id: string;
  starts_at: string;
  ends_at: string | null;
  set_by: string;
  created_at: string;
}

export interface BillingProfilesTable {
  org_id: string;
  /** ISO 3166-1 alpha-2; in clear because the tax rate is chosen by it. */
  country: string;
  /** Sealed JSON (name, e-mail, address lines, tax id); scope = the organisation. */
  contact_sealed: string;
  updated_by: string;
  updated_at: string;
}

export interface BillingTaxRatesTable {
  /** ISO 3166-1 alpha-2, or `*` for every country without its own rate. */
  country: string;
  rate_percent: string;
  label: string;
  updated_by: string;
  updated_at: string;
}

/** One hour of an organisation's usage, as measured at that hour. */
export interface BillingUsageTable {
  org_id: string;
  /** The hour's start, ISO UTC (`2026-03-01T13:00:00.000Z`). */
  hour: string;
  servers: number;
  instances: number;
  monitored: number;
  /** A whole number of bytes, as text (it may pass 2^53). */
  backup_bytes: string;
  recorded_at: string;
}

export interface BillingCountersTable {
  name: string;
  last: number;
}

export interface BillingInvoicesTable {
  id: string;
  customer_org_id: string;
  number: string;
  kind: 'invoice' | 'credit_note';
  dedupe_key: string;
  credits_invoice_id: string | null;
  period_start: string;
  period_end: string;
  currency: string;
  /** JSON: InvoiceLine[]. */
  lines: string;
  subtotal: string;
  tax_country: string;
  tax_percent: string;
  tax_label: string;
  tax: string;
  total: string;
  status: 'open' | 'paid' | 'credited' | 'void';
  /** Sealed JSON of the billing contact at issue; scope = the organisation (shredded with it). */
  bill_to_sealed: string | null;
  note: string | null;
  issued_at: string;
  due_at: string;
  paid_at: string | null;
  /** When the invoice was first found unpaid past its grace period (and raised for review). */
  overdue_flagged_at: string | null;
  issued_by: string;
}

export interface BillingPaymentsTable {
  id: string;
  invoice_id: string;
  customer_org_id: string;
  amount: string;
  method: 'bank_transfer' | 'manual' | 'card';
  provider: string;
  reference: string | null;
  status: 'succeeded' | 'failed';
  failure: string | null;
  recorded_by: string;
  recorded_at: string;
}

export interface TermsVersionsTable {
  id: string;
  version: string;
  title: string;
  body: string;
  changes: string;
  material: number;
  published_by: string;
  published_at: string;
}

export interface TermsAcceptancesTable {
  user_id: string;
  terms_id: string;
  at: string;
  source: 'sign_up' | 'sign_in' | 'console' | 'api';
  /** JSON: the statement shown, request id, keyed hash of the address. */
  evidence: string;
}

export interface UndertakingVersionsTable {
  id: string;
  version: string;
  title: string;
  body: string;
  published_by: string;
  published_at: string;
}

export interface UndertakingAcceptancesTable {
  user_id: string;
  undertaking_id: string;
  at: string;
  second_factor: 'totp';
  evidence: string;
}

export type ReviewSignal = 'orgs_per_address' | 'payment_failed' | 'invoice_unpaid' | 'outbound_attack' | 'staff';

export interface ReviewItemsTable {
  id: string;
  org_id: string;
  signal: ReviewSignal;
  /** What the signal is about within its kind (an address hash, an invoice, a finding), for de-duplication. */
  key: string;
  summary: string;
  details: string;
  status: 'open' | 'dismissed' | 'suspended';
  opened_at: string;
  closed_at: string | null;
  closed_by: string | null;
  outcome: string | null;
}

export interface OrgSuspensionsTable {
  id: string;
  org_id: string;
  /** Shown to the organisation's members, word for word. */
  reason: string;
  review_item_id: string | null;
  suspended_by: string;
  suspended_at: string;
  appeal_request_id: string | null;
  reinstated_by: string | null;
  reinstated_at: string | null;
  reinstate_note: string | null;
}

export interface RecommendationsTable {
  id: string;
  user_id: string;
  org_id: string;
  kind: 'security_updates' | 'no_backup_plan' | 'disk_filling' | 'better_plan';
  key: string;
  title: string;
  detail: string;
  computed_at: string;
}

export interface BillingTables {
  billing_plans: BillingPlansTable;
  billing_subscriptions: BillingSubscriptionsTable;
  billing_profiles: BillingProfilesTable;
  billing_tax_rates: BillingTaxRatesTable;
  billing_usage: BillingUsageTable;
  billing_counters: BillingCountersTable;
  billing_invoices: BillingInvoicesTable;
  billing_payments: BillingPaymentsTable;
  terms_versions: TermsVersionsTable;
  terms_acceptances: TermsAcceptancesTable;
  undertaking_versions: UndertakingVersionsTable;
  undertaking_acceptances: UndertakingAcceptancesTable;
  review_items: ReviewItemsTable;
  org_suspensions: OrgSuspensionsTable;
  recommendations: RecommendationsTable;
}
