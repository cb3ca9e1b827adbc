import type { Kysely } from 'kysely';

/**
 * The privacy centre: consent records (history and current state), the suppression list, referrals and
 * promotions, policy versions and acknowledgements, the disclosure register, first-party analytics events and
 * organisation deletions. Tables that hold a person's data cascade when the person's account is deleted.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'text')
    .addColumn('evidence', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('consents_user_purpose').on('consents').columns(['user_id', 'purpose', 'at']).execute();

  await db.schema
    .createTable('consent_state')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('granted', 'integer', (c) => c.notNull())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_state_pk', ['user_id', 'purpose'])
    .execute();
  await db.schema.createIndex('consent_state_purpose').on('consent_state').columns(['purpose', 'granted']).execute();

  await db.schema
    .createTable('suppressions')
    .addColumn('email_bidx', 'text', (c) => c.primaryKey())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('referrer_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('friend_bidx', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referrals_referrer').on('referrals').columns(['referrer_id', 'created_at']).execute();
  await db.schema.createIndex('referrals_friend').on('referrals').columns(['friend_bidx', 'created_at']).execute();

  await db.schema
    .createTable('promotions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('recipients', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('policy_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('significant', 'integer', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('policy_versions_published').on('policy_versions').column('published_at').execute();

  await db.schema
    .createTable('policy_acknowledgements')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('policy_id', 'text', (c) => c.notNull().references('policy_versions.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('policy_acknowledgements_pk', ['user_id', 'policy_id'])
    .execute();
  await db.schema
    .createIndex('policy_acknowledgements_policy')
    .on('policy_acknowledgements')
    .column('policy_id')
    .execute();

  await db.schema
    .createTable('disclosures')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('agreement_ref', 'text')
    .addColumn('legal_basis', 'text')
    .addColumn('reference', 'text')
    .addColumn('data_categories', 'text', (c) => c.notNull())
    .addColumn('org_ids', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('disclosed_at', 'text')
    .addColumn('notices_requested_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('disclosures_created').on('disclosures').column('created_at').execute();

  await db.schema
    .createTable('disclosure_notices')
    .addColumn('disclosure_id', 'text', (c) => c.notNull().references('disclosures.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('disclosure_notices_pk', ['disclosure_id', 'user_id'])
    .execute();
  await db.schema.createIndex('disclosure_notices_user').on('disclosure_notices').column('user_id').execute();

  await db.schema
    .createTable('analytics_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('visitor', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('referrer_host', 'text')
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('ip_truncated', 'integer', (c) => c.notNull())
    .addColumn('browser', 'text', (c) => c.notNull())
    .addColumn('browser_version', 'text', (c) => c.notNull())
    .addColumn('os', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('analytics_events_at').on('analytics_events').columns(['kind', 'at']).execute();
  await db.schema.createIndex('analytics_events_ip').on('analytics_events').columns(['ip_truncated', 'at']).execute();
  await db.schema.createIndex('analytics_events_user').on('analytics_events').column('user_id').execute();

  await db.schema
    .createTable('org_deletions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().unique())
    .addColumn('requested_by', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('servers_released', 'integer', (c) => c.notNull())
    .addColumn('servers_left', 'integer', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('org_deletions_requested_by').on('org_deletions').column('requested_by').execute();
}
