import type { Kysely } from 'kysely';

/**
 * Many nodes: what workers sharing one database need beyond the job queue itself.
 * - `task_run_hosts` learns who holds a host's part of a run (`claimed_by`, one value per job attempt, so a
 *   worker that lost its claim notices at its next write), which step it was applying when it last wrote
 *   (`applying`), and its job (`job_id`, for the sweep that closes hosts whose job gave up).
 * - `job_slots`: a counting semaphore per key (an organisation, a server) with leases, capping host jobs across
 *   every worker; a dead worker's slots free themselves when their lease lapses.
 * - `cluster_schedules`: standing work that runs once per interval across the cluster (claimed by a conditional
 *   update of `next_run_at`).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('task_run_hosts').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('task_run_hosts').addColumn('applying', 'text').execute();
  await db.schema.alterTable('task_run_hosts').addColumn('job_id', 'text').execute();
  await db.schema.createIndex('task_run_hosts_status').on('task_run_hosts').column('status').execute();

  await db.schema
    .createTable('job_slots')
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('slot', 'integer', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_slots_pk', ['key', 'slot'])
    .execute();
  await db.schema.createIndex('job_slots_holder').on('job_slots').column('holder').execute();

  await db.schema
    .createTable('cluster_schedules')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('interval_ms', 'integer', (c) => c.notNull())
    .addColumn('next_run_at', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('last_run_by', 'text')
    .addColumn('runs', 'integer', (c) => c.notNull())
    .execute();
}
