import type { Kysely } from 'kysely';

/*
 * Backups (docs/decisions/0016-backups.md): the organisation's repository password, where restore points are
 * kept, plans per server, runs (backup, restore, check) and the restore points restic reported. The data itself
 * lives in restic repositories, never in these tables.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const org = (c: any) => c.notNull().references('orgs.id').onDelete('cascade');

  await db.schema
    .createTable('backup_keys')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('password_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('exported_at', 'text')
    .execute();

  await db.schema
    .createTable('backup_repositories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('credential_sealed', 'text')
    .addColumn('public_key', 'text')
    .addColumn('is_default', 'integer', (c) => c.notNull())
    .addColumn('initialised_at', 'text')
    .addColumn('last_check_at', 'text')
    .addColumn('last_check_status', 'text')
    .addColumn('last_check_error', 'text')
    .addColumn('stored_bytes', 'bigint', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('backup_repositories_org').on('backup_repositories').column('org_id').execute();

  await db.schema
    .createTable('backup_plans')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('server_id', 'text', (c) => c.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('repository_id', 'text', (c) => c.notNull().references('backup_repositories.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('database', 'text')
    .addColumn('paths', 'text', (c) => c.notNull())
    .addColumn('excludes', 'text', (c) => c.notNull())
    .addColumn('db_auth', 'text')
    .addColumn('db_user', 'text')
    .addColumn('db_secret_id', 'text')
    .addColumn('db_password_sealed', 'text')
    .addColumn('interval_minutes', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('keep', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('set_by', 'text')
    .addColumn('last_ok_at', 'text')
    .addColumn('last_failed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('backup_plans_org').on('backup_plans').column('org_id').execute();
  await db.schema.createIndex('backup_plans_server').on('backup_plans').column('server_id').execute();
  await db.schema.createIndex('backup_plans_repository').on('backup_plans').column('repository_id').execute();
  await db.schema.createIndex('backup_plans_due').on('backup_plans').columns(['enabled', 'next_run_at']).execute();

  await db.schema
    .createTable('backup_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('plan_id', 'text', (c) => c.references('backup_plans.id').onDelete('set null'))
    .addColumn('repository_id', 'text', (c) => c.notNull().references('backup_repositories.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.references('servers.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('instruction_type', 'text', (c) => c.notNull())
    .addColumn('instruction_id', 'text')
    .addColumn('actor_id', 'text')
    .addColumn('snapshot_id', 'text')
    .addColumn('bytes_read', 'bigint', (c) => c.notNull())
    .addColumn('bytes_added', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer')
    .addColumn('progress', 'text')
    .addColumn('result', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('queued_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('backup_runs_org').on('backup_runs').columns(['org_id', 'queued_at']).execute();
  await db.schema.createIndex('backup_runs_plan').on('backup_runs').column('plan_id').execute();
  await db.schema.createIndex('backup_runs_repository').on('backup_runs').column('repository_id').execute();
  await db.schema.createIndex('backup_runs_server').on('backup_runs').column('server_id').execute();

  await db.schema
    .createTable('backup_snapshots')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', org)
    .addColumn('repository_id', 'text', (c) => c.notNull().references('backup_repositories.id').onDelete('cascade'))
    .addColumn('plan_id', 'text', (c) => c.notNull().references('backup_plans.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull().references('servers.id').onDelete('cascade'))
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'bigint', (c) => c.notNull())
    .addColumn('added_bytes', 'bigint', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('entry', 'text', (c) => c.notNull())
    .addColumn('forgotten_at', 'text')
    .addPrimaryKeyConstraint('backup_snapshots_pk', ['repository_id', 'id'])
    .execute();
  await db.schema.createIndex('backup_snapshots_org').on('backup_snapshots').column('org_id').execute();
  await db.schema
    .createIndex('backup_snapshots_plan')
    .on('backup_snapshots')
    .columns(['plan_id', 'taken_at'])
    .execute();
  await db.schema.createIndex('backup_snapshots_server').on('backup_snapshots').column('server_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['backup_snapshots', 'backup_runs', 'backup_plans', 'backup_repositories', 'backup_keys'])
    await db.schema.dropTable(t).execute();
}
