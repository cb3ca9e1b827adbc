import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type {
  BillingInvoicesTable,
  BillingPaymentsTable,
  BillingPlansTable,
  BillingProfilesTable,
  BillingSubscriptionsTable,
  BillingTaxRatesTable,
  BillingUsageTable,
} from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export const BILLING_PROFILES_SEALED: SealedColumnSpec = {
  table: 'billing_profiles',
  id: 'org_id',
  scope: 'org_id',
  columns: ['contact_sealed'],
};
export const BILLING_INVOICES_SEALED: SealedColumnSpec = {
  table: 'billing_invoices',
  id: 'id',
  scope: 'customer_org_id',
  columns: ['bill_to_sealed'],
};

/** Data access for billing; every method takes the executor (the caller's transaction or the database). */
export const billingStore = {
  plans: (db: Executor) => db.selectFrom('billing_plans').selectAll().orderBy('created_at').execute(),
  plan: (db: Executor, id: string) =>
    db.selectFrom('billing_plans').selectAll().where('id', '=', id).executeTakeFirst(),
  planByCode: (db: Executor, code: string) =>
    db.selectFrom('billing_plans').selectAll().where('code', '=', code).executeTakeFirst(),
  insertPlan: (db: Executor, row: BillingPlansTable) => db.insertInto('billing_plans').values(row).execute(),
  updatePlan: (db: Executor, id: string, patch: Partial<BillingPlansTable>) =>
    db.updateTable('billing_plans').set(patch).where('id', '=', id).execute(),

  subscriptions: (db: Executor, orgId: string) =>
    db.selectFrom('billing_subscriptions').selectAll().where('org_id', '=', orgId).orderBy('starts_at').execute(),
  currentSubscription: (db: Executor, orgId: string) =>
    db
      .selectFrom('billing_subscriptions')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('ends_at', 'is', null)
      .executeTakeFirst(),
  endSubscription: (db: Executor, id: string, at: string) =>
    db.updateTable('billing_subscriptions').set({ ends_at: at }).where('id', '=', id).execute(),
  insertSubscription: (db: Executor, row: BillingSubscriptionsTable) =>
    db.insertInto('billing_subscriptions').values(row).execute(),
  /** Organisations with a plan in force at any time in [from, to). */
  subscribedOrgs: async (db: Executor, from: string, to: string) =>
    (
      await db
        .selectFrom('billing_subscriptions')
        .select('org_id')
        .distinct()
        .where('starts_at', '<', to)
        .where((eb) => eb.or([eb('ends_at', 'is', null), eb('ends_at', '>', from)]))
        .execute()
    ).map((r) => r.org_id),

  profile: (db: Executor, orgId: string) =>
    db.selectFrom('billing_profiles').selectAll().where('org_id', '=', orgId).executeTakeFirst(),
  upsertProfile: (db: Executor, row: BillingProfilesTable) =>
    db
      .insertInto('billing_profiles')
      .values(row)
      .onConflict((oc) =>
        oc.column('org_id').doUpdateSet({
          country: row.country,
          contact_sealed: row.contact_sealed,
          updated_by: row.updated_by,
          updated_at: row.updated_at,
        }),
      )
      .execute(),

  taxRates: (db: Executor) => db.selectFrom('billing_tax_rates').selectAll().orderBy('country').execute(),
  taxRateFor: async (db: Executor, country: string) =>
    (await db.selectFrom('billing_tax_rates').selectAll().where('country', '=', country).executeTakeFirst()) ??
    (await db.selectFrom('billing_tax_rates').selectAll().where('country', '=', '*').executeTakeFirst()),
  upsertTaxRate: (db: Executor, row: BillingTaxRatesTable) =>
    db
      .insertInto('billing_tax_rates')
      .values(row)
      .onConflict((oc) =>
        oc.column('country').doUpdateSet({
          rate_percent: row.rate_percent,
          label: row.label,
          updated_by: row.updated_by,
          updated_at: row.updated_at,
        }),
      )
      .execute(),
  deleteTaxRate: (db: Executor, country: string) =>
    db.deleteFrom('billing_tax_rates').where('country', '=', country).executeTakeFirst(),

  /** Records one hour once: a second worker, or a second run within the hour, changes nothing. */
  recordUsage: (db: Executor, rows: readonly BillingUsageTable[]) =>
    rows.length === 0
      ? Promise.resolve()
      : db
          .insertInto('billing_usage')
          .values([...rows])
          .onConflict((oc) => oc.columns(['org_id', 'hour']).doNothing())
          .execute(),
  usage: (db: Executor, orgId: string, from: string, to: string) =>
    db
      .selectFrom('billing_usage')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('hour', '>=', from)
      .where('hour', '<', to)
      .orderBy('hour')
      .execute(),

  /**
   * The next number of a series, inside the caller's transaction. The row lock (PostgreSQL) or the single writer
   * (SQLite) makes concurrent issuers wait; a rolled-back transaction gives its number back, so there are no gaps.
   */
  async nextNumber(db: Executor, series: string): Promise<number> {
    await db
      .insertInto('billing_counters')
      .values({ name: series, last: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await db
      .updateTable('billing_counters')
      .set({ last: sql<number>`last + 1` })
      .where('name', '=', series)
      .returning('last')
      .executeTakeFirstOrThrow();
    return Number(row.last);
  },

  insertInvoice: (db: Executor, row: BillingInvoicesTable) => db.insertInto('billing_invoices').values(row).execute(),
  invoice: (db: Executor, id: string) =>
    db.selectFrom('billing_invoices').selectAll().where('id', '=', id).executeTakeFirst(),
  invoiceByDedupe: (db: Executor, key: string) =>
    db.selectFrom('billing_invoices').selectAll().where('dedupe_key', '=', key).executeTakeFirst(),
  invoicesOf: (db: Executor, orgId: string, limit: number) =>
    db
      .selectFrom('billing_invoices')
      .selectAll()
      .where('customer_org_id', '=', orgId)
      .orderBy('issued_at', 'desc')
      .orderBy('number', 'desc')
      .limit(limit)
      .execute(),
  invoices: (db: Executor, filter: { status?: BillingInvoicesTable['status']; limit: number }) => {
    let q = db.selectFrom('billing_invoices').selectAll().orderBy('issued_at', 'desc').orderBy('number', 'desc');
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.limit(filter.limit).execute();
  },
  creditNotesOf: (db: Executor, invoiceIds: readonly string[]) =>
    invoiceIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('billing_invoices')
          .selectAll()
          .where('credits_invoice_id', 'in', [...invoiceIds])
          .execute(),
  setInvoice: (db: Executor, id: string, patch: Partial<BillingInvoicesTable>) =>
    db.updateTable('billing_invoices').set(patch).where('id', '=', id).execute(),
  /** Open invoices whose due date plus grace has passed and that were not raised yet. */
  overdue: (db: Executor, dueBefore: string, limit: number) =>
    db
      .selectFrom('billing_invoices')
      .selectAll()
      .where('kind', '=', 'invoice')
      .where('status', '=', 'open')
      .where('due_at', '<', dueBefore)
      .where('overdue_flagged_at', 'is', null)
      .orderBy('due_at')
      .limit(limit)
      .execute(),

  insertPayment: (db: Executor, row: BillingPaymentsTable) => db.insertInto('billing_payments').values(row).execute(),
  paymentsOf: (db: Executor, invoiceIds: readonly string[]) =>
    invoiceIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('billing_payments')
          .selectAll()
          .where('invoice_id', 'in', [...invoiceIds])
          .orderBy('recorded_at')
          .execute(),
};
