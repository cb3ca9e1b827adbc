import type { Db, Executor } from '../../db/database.js';
import type { OrgsTable } from '../../db/schema.js';

/**
 * What the privacy centre needs from the organisations module: their members (for notices and exports), which
 * ones a person owns (account deletion) and the steps of deleting one. No authorisation here: the privacy
 * services check membership through OrgsService.requireMember before calling these.
 */
export function createOrgsPrivacy(deps: { db: Db }) {
  const { db } = deps;
  return {
    async memberUserIds(orgId: string): Promise<string[]> {
      return (await db.selectFrom('memberships').select('user_id').where('org_id', '=', orgId).execute()).map(
        (r) => r.user_id,
      );
    },
    /** Organisations (active or being deleted) where the person is an owner. */
    async ownedBy(userId: string): Promise<{ id: string; status: OrgsTable['status'] }[]> {
      return db
        .selectFrom('memberships')
        .innerJoin('orgs', 'orgs.id', 'memberships.org_id')
        .select(['orgs.id as id', 'orgs.status as status'])
        .where('memberships.user_id', '=', userId)
        .where('memberships.role', '=', 'owner')
        .where('orgs.status', '!=', 'deleted')
        .execute();
    },
    async status(orgId: string): Promise<OrgsTable['status'] | undefined> {
      return (await db.selectFrom('orgs').select('status').where('id', '=', orgId).executeTakeFirst())?.status;
    },
    /** An organisation being deleted is hidden from everyone (every lookup asks for `active`). */
    markDeleting: (exec: Executor, orgId: string) =>
      exec
        .updateTable('orgs')
        .set({ status: 'deleting' })
        .where('id', '=', orgId)
        .where('status', '=', 'active')
        .executeTakeFirst(),
    /** Deletes the organisation row; every table that references it cascades. */
    deleteOrg: (exec: Executor, orgId: string) => exec.deleteFrom('orgs').where('id', '=', orgId).executeTakeFirst(),
  };
}

export type OrgsPrivacy = ReturnType<typeof createOrgsPrivacy>;
