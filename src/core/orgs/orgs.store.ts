import type { Executor } from '../../db/database.js';
import type { InvitationsTable, MembershipsTable, OrgsTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type OrgRow = OrgsTable;
export type MembershipRow = MembershipsTable;
export type InvitationRow = InvitationsTable;

export const INVITATIONS_SEALED: SealedColumnSpec = {
  table: 'invitations',
  id: 'id',
  scope: 'org_id',
  columns: ['email_sealed'],
};

export const orgsStore = {
  insertOrg: (db: Executor, row: OrgRow) => db.insertInto('orgs').values(row).execute(),
  org: (db: Executor, id: string) =>
    db.selectFrom('orgs').selectAll().where('id', '=', id).where('status', '=', 'active').executeTakeFirst(),
  names: (db: Executor, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', ids).execute(),
  renameOrg: (db: Executor, id: string, name: string) =>
    db.updateTable('orgs').set({ name }).where('id', '=', id).execute(),

  insertMembership: (db: Executor, row: MembershipRow) => db.insertInto('memberships').values(row).execute(),
  membership: (db: Executor, orgId: string, userId: string) =>
    db
      .selectFrom('memberships')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('user_id', '=', userId)
      .executeTakeFirst(),
  membershipById: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('memberships').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  members: (db: Executor, orgId: string) =>
    db.selectFrom('memberships').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute(),
  countOwners: async (db: Executor, orgId: string) =>
    Number(
      (
        await db
          .selectFrom('memberships')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .where('role', '=', 'owner')
          .executeTakeFirst()
      )?.n ?? 0,
    ),
  setRole: (db: Executor, id: string, role: MembershipRow['role']) =>
    db.updateTable('memberships').set({ role }).where('id', '=', id).execute(),
  removeMembership: (db: Executor, id: string) => db.deleteFrom('memberships').where('id', '=', id).execute(),
  orgsOfUser: (db: Executor, userId: string) =>
    db
      .selectFrom('memberships')
      .innerJoin('orgs', 'orgs.id', 'memberships.org_id')
      .select(['orgs.id as id', 'orgs.name as name', 'orgs.created_at as created_at', 'memberships.role as role'])
      .where('memberships.user_id', '=', userId)
      .where('orgs.status', '=', 'active')
      .orderBy('orgs.created_at')
      .execute(),

  insertInvitation: (db: Executor, row: InvitationRow) => db.insertInto('invitations').values(row).execute(),
  invitationByHash: (db: Executor, hash: string) =>
    db.selectFrom('invitations').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
  invitations: (db: Executor, orgId: string) =>
    db
      .selectFrom('invitations')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('accepted_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute(),
  /** Marks an invitation used, only if still unused (so two accepts cannot both succeed). */
  async acceptInvitation(db: Executor, id: string, at: string): Promise<boolean> {
    const res = await db
      .updateTable('invitations')
      .set({ accepted_at: at })
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  deleteInvitation: (db: Executor, orgId: string, id: string) =>
    db
      .deleteFrom('invitations')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('accepted_at', 'is', null)
      .executeTakeFirst(),
};
