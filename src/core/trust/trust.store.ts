import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OrgSuspensionsTable, ReviewItemsTable } from '../../db/schema.js';

/** Data access for the review queue and suspensions. */
export const trustStore = {
  /** Inserts an item unless one for the same organisation, signal and subject exists; true if inserted. */
  async insertItem(db: Executor, row: ReviewItemsTable): Promise<boolean> {
    const res = await db
      .insertInto('review_items')
      .values(row)
      .onConflict((oc) => oc.columns(['org_id', 'signal', 'key']).doNothing())
      .executeTakeFirst();
    return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
  },
  item: (db: Executor, id: string) => db.selectFrom('review_items').selectAll().where('id', '=', id).executeTakeFirst(),
  items: (db: Executor, status: ReviewItemsTable['status'] | undefined, limit: number) => {
    let q = db.selectFrom('review_items').selectAll().orderBy('opened_at', 'desc').limit(limit);
    if (status) q = q.where('status', '=', status);
    return q.execute();
  },
  openItemsOf: (db: Executor, orgId: string) =>
    db.selectFrom('review_items').selectAll().where('org_id', '=', orgId).where('status', '=', 'open').execute(),
  closeItem: (
    db: Executor,
    id: string,
    patch: Pick<ReviewItemsTable, 'status' | 'closed_at' | 'closed_by' | 'outcome'>,
  ) => db.updateTable('review_items').set(patch).where('id', '=', id).where('status', '=', 'open').executeTakeFirst(),

  activeSuspension: (db: Executor, orgId: string) =>
    db
      .selectFrom('org_suspensions')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('reinstated_at', 'is', null)
      .executeTakeFirst(),
  /** SQL text, not a built query: monitoring asks on every claiming pass (each second on each worker). */
  suspendedAmong: async (db: Executor, orgIds: readonly string[]): Promise<{ org_id: string }[]> =>
    orgIds.length === 0
      ? []
      : (
          await sql<{
            org_id: string;
          }>`select org_id from org_suspensions where reinstated_at is null and org_id in (${sql.join(
            orgIds,
          )})`.execute(db)
        ).rows,
  suspensions: (db: Executor, active: boolean, limit: number) =>
    db
      .selectFrom('org_suspensions')
      .selectAll()
      .where('reinstated_at', active ? 'is' : 'is not', null)
      .orderBy('suspended_at', 'desc')
      .limit(limit)
      .execute(),
  suspensionsOf: (db: Executor, orgId: string) =>
    db.selectFrom('org_suspensions').selectAll().where('org_id', '=', orgId).orderBy('suspended_at', 'desc').execute(),
  insertSuspension: (db: Executor, row: OrgSuspensionsTable) => db.insertInto('org_suspensions').values(row).execute(),
  updateSuspension: (db: Executor, id: string, patch: Partial<OrgSuspensionsTable>) =>
    db.updateTable('org_suspensions').set(patch).where('id', '=', id).executeTakeFirst(),
};
