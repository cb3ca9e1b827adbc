import type { Kysely } from 'kysely';

/**
 * Plans, usage and invoices. Money is text holding an exact decimal ("12.50"), never a float. Invoices and
 * payments name their organisation in `customer_org_id`, not `org_id`: deleting an organisation erases every
 * `org_id` table, but invoice numbers must stay without gaps (the bill-to inside is sealed under the
 * organisation's key, so it is shredded with it). `billing_counters` hands out invoice and credit-note numbers
 * inside the transaction that writes the document, so a rollback gives its number back.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('billing_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('monthly_price', 'text', (c) => c.notNull())
    .addColumn('included_servers', 'integer', (c) => c.notNull())
    .addColumn('server_hour_price', 'text', (c) => c.notNull())
    .addColumn('backup_gib_month_price', 'text', (c) => c.notNull())
    .addColumn('support_tier', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.notNull().references('billing_plans.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text')
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('billing_subscriptions_org')
    .on('billing_subscriptions')
    .columns(['org_id', 'starts_at'])
    .execute();
  await db.schema.createIndex('billing_subscriptions_plan').on('billing_subscriptions').column('plan_id').execute();

  await db.schema
    .createTable('billing_profiles')
    .addColumn('org_id', 'text', (c) => c.primaryKey())
    .addColumn('country', 'text', (c) => c.notNull())
    .addColumn('contact_sealed', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_tax_rates')
    .addColumn('country', 'text', (c) => c.primaryKey())
    .addColumn('rate_percent', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_usage')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('hour', 'text', (c) => c.notNull())
    .addColumn('servers', 'integer', (c) => c.notNull())
    .addColumn('instances', 'integer', (c) => c.notNull())
    .addColumn('monitored', 'integer', (c) => c.notNull())
    .addColumn('backup_bytes', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('billing_usage_pk', ['org_id', 'hour'])
    .execute();

  await db.schema
    .createTable('billing_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('billing_invoices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_org_id', 'text', (c) => c.notNull())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('credits_invoice_id', 'text', (c) => c.references('billing_invoices.id'))
    .addColumn('period_start', 'text', (c) => c.notNull())
    .addColumn('period_end', 'text', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('subtotal', 'text', (c) => c.notNull())
    .addColumn('tax_country', 'text', (c) => c.notNull())
    .addColumn('tax_percent', 'text', (c) => c.notNull())
    .addColumn('tax_label', 'text', (c) => c.notNull())
    .addColumn('tax', 'text', (c) => c.notNull())
    .addColumn('total', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('bill_to_sealed', 'text')
    .addColumn('note', 'text')
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('paid_at', 'text')
    .addColumn('overdue_flagged_at', 'text')
    .addColumn('issued_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('billing_invoices_customer')
    .on('billing_invoices')
    .columns(['customer_org_id', 'issued_at'])
    .execute();
  await db.schema.createIndex('billing_invoices_status').on('billing_invoices').columns(['status', 'due_at']).execute();
  await db.schema.createIndex('billing_invoices_credits').on('billing_invoices').column('credits_invoice_id').execute();

  await db.schema
    .createTable('billing_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('invoice_id', 'text', (c) => c.notNull().references('billing_invoices.id'))
    .addColumn('customer_org_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('billing_payments_invoice').on('billing_payments').column('invoice_id').execute();
  await db.schema.createIndex('billing_payments_customer').on('billing_payments').column('customer_org_id').execute();
}
