import type { Db, Executor } from '../../db/database.js';
import type { StaffRole } from '../actor.js';

/**
 * What the privacy centre needs from the people module and nothing more: finding an account by its e-mail blind
 * index (consent checks before promotional mail), walking every active account (policy and transfer notices),
 * listing staff accounts (the internal review) and erasing an account (deletion). Kept apart from
 * users.service.ts so the two evolve without stepping on each other.
 */
export function createUsersPrivacy(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** The active account with this e-mail blind index, if any. */
    async idByEmailIndex(bidx: string): Promise<string | undefined> {
      return (
        await db
          .selectFrom('users')
          .select('id')
          .where('email_bidx', '=', bidx)
          .where('status', '=', 'active')
          .executeTakeFirst()
      )?.id;
    },
    async emailIndexOf(userId: string): Promise<string | undefined> {
      return (await db.selectFrom('users').select('email_bidx').where('id', '=', userId).executeTakeFirst())
        ?.email_bidx;
    },
    /** Active accounts in id order after `after` (batches for notices to everyone). */
    async activeUserIds(
      after: string,
      limit: number,
      kind?: 'customer' | 'staff',
    ): Promise<{ id: string; createdAt: string }[]> {
      let q = db
        .selectFrom('users')
        .select(['id', 'created_at'])
        .where('status', '=', 'active')
        .where('id', '>', after)
        .orderBy('id')
        .limit(limit);
      if (kind) q = q.where('kind', '=', kind);
      return (await q.execute()).map((r) => ({ id: r.id, createdAt: r.created_at }));
    },
    async createdAt(userId: string): Promise<string | undefined> {
      return (await db.selectFrom('users').select('created_at').where('id', '=', userId).executeTakeFirst())
        ?.created_at;
    },
    async staffAccounts(): Promise<{ id: string; roles: StaffRole[]; status: string; createdAt: string }[]> {
      const rows = await db
        .selectFrom('users')
        .select(['id', 'staff_roles', 'status', 'created_at'])
        .where('kind', '=', 'staff')
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        roles: r.staff_roles === '' ? [] : (r.staff_roles.split(',') as StaffRole[]),
        status: r.status,
        createdAt: r.created_at,
      }));
    },
    async passwordHash(userId: string): Promise<string | undefined> {
      return (await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst())
        ?.password_hash;
    },
    /** Deletes the account row; sessions, tokens, memberships and rows that cascade from it go with it. */
    deleteAccount: (exec: Executor, userId: string) =>
      exec.deleteFrom('users').where('id', '=', userId).executeTakeFirst(),
  };
}

export type UsersPrivacy = ReturnType<typeof createUsersPrivacy>;
