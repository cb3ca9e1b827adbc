import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('provider_accounts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text')
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('credential_sealed', 'text')
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('external_account', 'text', (c) => c.notNull())
    .addColumn('principal', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'text')
    .addColumn('last_sync_error', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('provider_accounts_org')
    .on('provider_accounts')
    .columns(['org_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('provider_instances')
    .addColumn('account_id', 'text', (c) => c.notNull().references('provider_accounts.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('provider_state', 'text')
    .addColumn('public_ip', 'text')
    .addColumn('private_ip', 'text')
    .addColumn('size_id', 'text')
    .addColumn('image_id', 'text')
    .addColumn('location_id', 'text')
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('gone_at', 'text')
    .addPrimaryKeyConstraint('provider_instances_pk', ['account_id', 'node_id'])
    .execute();
  await db.schema.createIndex('provider_instances_org').on('provider_instances').column('org_id').execute();

  await db.schema
    .createTable('provider_launches')
    .addColumn('account_id', 'text', (c) => c.notNull().references('provider_accounts.id').onDelete('cascade'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('size_id', 'text', (c) => c.notNull())
    .addColumn('image_id', 'text', (c) => c.notNull())
    .addColumn('location_id', 'text')
    .addColumn('ssh_user', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('node_id', 'text')
    .addColumn('address', 'text')
    .addColumn('server_id', 'text')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('provider_launches_pk', ['account_id', 'token'])
    .execute();
  await db.schema
    .createIndex('provider_launches_org')
    .on('provider_launches')
    .columns(['org_id', 'created_at'])
    .execute();
  await db.schema.createIndex('provider_launches_job').on('provider_launches').column('job_id').execute();

  // One row per recurring job: which queued job continues the chain (a stray duplicate sees it is not the one).
  await db.schema
    .createTable('provisioning_schedule')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
