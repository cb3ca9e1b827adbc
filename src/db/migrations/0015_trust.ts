import type { Kysely } from 'kysely';

/**
 * The rest of the policy's purposes: terms of service versions and each person's acceptance; the staff
 * confidentiality undertaking's versions and each staff member's acceptance (with the second factor that
 * confirmed it); the fraud and abuse review queue and organisation suspensions; personalised recommendations,
 * stored per person and organisation only for people who consented.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('terms_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('material', 'integer', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('terms_versions_published').on('terms_versions').column('published_at').execute();
  await db.schema
    .createTable('terms_acceptances')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('terms_id', 'text', (c) => c.notNull().references('terms_versions.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('terms_acceptances_pk', ['user_id', 'terms_id'])
    .execute();
  await db.schema.createIndex('terms_acceptances_terms').on('terms_acceptances').column('terms_id').execute();

  await db.schema
    .createTable('undertaking_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('undertaking_versions_published')
    .on('undertaking_versions')
    .column('published_at')
    .execute();
  await db.schema
    .createTable('undertaking_acceptances')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('undertaking_id', 'text', (c) => c.notNull().references('undertaking_versions.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('second_factor', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('undertaking_acceptances_pk', ['user_id', 'undertaking_id'])
    .execute();
  await db.schema
    .createIndex('undertaking_acceptances_version')
    .on('undertaking_acceptances')
    .column('undertaking_id')
    .execute();

  await db.schema
    .createTable('review_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('signal', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('details', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('outcome', 'text')
    .execute();
  await db.schema
    .createIndex('review_items_signal')
    .on('review_items')
    .columns(['org_id', 'signal', 'key'])
    .unique()
    .execute();
  await db.schema.createIndex('review_items_status').on('review_items').columns(['status', 'opened_at']).execute();

  await db.schema
    .createTable('org_suspensions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('review_item_id', 'text')
    .addColumn('suspended_by', 'text', (c) => c.notNull())
    .addColumn('suspended_at', 'text', (c) => c.notNull())
    .addColumn('appeal_request_id', 'text')
    .addColumn('reinstated_by', 'text')
    .addColumn('reinstated_at', 'text')
    .addColumn('reinstate_note', 'text')
    .execute();
  await db.schema
    .createIndex('org_suspensions_org')
    .on('org_suspensions')
    .columns(['org_id', 'reinstated_at'])
    .execute();

  await db.schema
    .createTable('recommendations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('recommendations_person')
    .on('recommendations')
    .columns(['user_id', 'org_id', 'kind', 'key'])
    .unique()
    .execute();
  await db.schema.createIndex('recommendations_org').on('recommendations').column('org_id').execute();
}
