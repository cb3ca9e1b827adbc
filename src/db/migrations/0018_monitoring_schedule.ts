import type { Kysely } from 'kysely';

/*
 * Monitoring keeps count of its schedule per server (docs/decisions/0009-monitoring.md, "Keeping the schedule"):
 * intervals that began (`samples_due`), samples taken, samples that ended after their interval (`samples_late`)
 * and intervals that passed with no sample (`samples_missed`).
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  for (const column of ['samples_due', 'samples_taken', 'samples_late', 'samples_missed'])
    await db.schema
      .alterTable('monitoring_targets')
      .addColumn(column, 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
}
