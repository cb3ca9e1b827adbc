import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('discovery_snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('taken_at', 'text', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('changes', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('attention', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('discovery_snapshots_server_taken')
    .on('discovery_snapshots')
    .columns(['server_id', 'taken_at'])
    .execute();
  await db.schema.createIndex('discovery_snapshots_org').on('discovery_snapshots').column('org_id').execute();

  await db.schema
    .createTable('discovered_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('server_id', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('context', 'text', (c) => c.notNull())
    .addColumn('value_sealed', 'text', (c) => c.notNull())
    .addColumn('value_hash', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('gone_at', 'text')
    .addUniqueConstraint('discovered_secrets_place', ['server_id', 'location', 'key'])
    .execute();
  await db.schema.createIndex('discovered_secrets_org').on('discovered_secrets').column('org_id').execute();

  await db.schema
    .createTable('discovery_schedules')
    .addColumn('server_id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('orgs.id').onDelete('cascade'))
    .addColumn('interval_minutes', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('discovery_schedules_next').on('discovery_schedules').column('next_run_at').execute();
  await db.schema.createIndex('discovery_schedules_org').on('discovery_schedules').column('org_id').execute();
}
