import type { Kysely } from 'kysely';

/**
 * `monitoring_chores` was laid down for monitoring's periodic chores (retention, log pruning) before the cluster
 * gave every periodic job one home, `cluster_schedules`; nothing ever wrote it, so it goes.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('monitoring_chores').ifExists().execute();
}
