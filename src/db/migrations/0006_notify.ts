import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('to_bidx', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('message_sealed', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .addUniqueConstraint('outbox_dedupe', ['dedupe_key'])
    .execute();
  await db.schema.createIndex('outbox_status_created').on('outbox').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('outbox_org').on('outbox').column('org_id').execute();
  await db.schema.createIndex('outbox_to').on('outbox').column('to_bidx').execute();
}
