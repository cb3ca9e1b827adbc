import type { Executor } from '../../db/database.js';
import type { ApiTokensTable, SessionsTable, UsersTable } from '../../db/schema.js';
import type { SealedColumnSpec } from '../vault/vault.types.js';

export type UserRow = UsersTable;
export type SessionRow = SessionsTable;
export type ApiTokenRow = ApiTokensTable;

/** Personal fields of a person are sealed under the person's own key scope (their user id). */
export const USERS_SEALED: SealedColumnSpec = {
  table: 'users',
  id: 'id',
  scope: 'id',
  columns: ['email_sealed', 'name_sealed', 'phone_sealed', 'totp_sealed'],
};

export const usersStore = {
  insert: (db: Executor, row: UserRow) => db.insertInto('users').values(row).execute(),
  byId: (db: Executor, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),
  byEmailIndex: (db: Executor, bidx: string) =>
    db.selectFrom('users').selectAll().where('email_bidx', '=', bidx).executeTakeFirst(),
  byIds: (db: Executor, ids: readonly string[]) =>
    ids.length === 0 ? Promise.resolve([]) : db.selectFrom('users').selectAll().where('id', 'in', ids).execute(),
  update: (db: Executor, id: string, patch: Partial<UserRow>) =>
    db.updateTable('users').set(patch).where('id', '=', id).execute(),
  /** Marks a one-time code step as used, only if it is newer than the last one (so each code works once). */
  async useTotpStep(db: Executor, id: string, step: number): Promise<boolean> {
    const res = await db
      .updateTable('users')
      .set({ totp_last_step: step })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  },
  countStaff: async (db: Executor) =>
    Number(
      (
        await db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('kind', '=', 'staff')
          .executeTakeFirst()
      )?.n ?? 0,
    ),

  insertSession: (db: Executor, row: SessionRow) => db.insertInto('sessions').values(row).execute(),
  sessionByHash: (db: Executor, hash: string) =>
    db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
  touchSession: (db: Executor, id: string, at: string) =>
    db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute(),
  revokeSession: (db: Executor, id: string, at: string) =>
    db.updateTable('sessions').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute(),
  revokeUserSessions: (db: Executor, userId: string, at: string, except?: string) => {
    let q = db
      .updateTable('sessions')
      .set({ revoked_at: at })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (except) q = q.where('id', '!=', except);
    return q.execute();
  },

  insertToken: (db: Executor, row: ApiTokenRow) => db.insertInto('api_tokens').values(row).execute(),
  tokenByHash: (db: Executor, hash: string) =>
    db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
  tokensOf: (db: Executor, userId: string) =>
    db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute(),
  touchToken: (db: Executor, id: string, at: string) =>
    db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute(),
  revokeToken: (db: Executor, userId: string, id: string, at: string) =>
    db
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst(),

  insertAttempt: (db: Executor, id: string, subject: string, at: string) =>
    db.insertInto('signin_attempts').values({ id, subject, at }).execute(),
  countAttempts: async (db: Executor, subject: string, since: string) =>
    Number(
      (
        await db
          .selectFrom('signin_attempts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('subject', '=', subject)
          .where('at', '>', since)
          .executeTakeFirst()
      )?.n ?? 0,
    ),
  /** How many failures a subject has since `since`, and when the last one was. */
  attemptStats: async (
    db: Executor,
    subject: string,
    since: string,
  ): Promise<{ count: number; last: string | null }> => {
    const row = await db
      .selectFrom('signin_attempts')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('at').as('last')])
      .where('subject', '=', subject)
      .where('at', '>', since)
      .executeTakeFirst();
    return { count: Number(row?.n ?? 0), last: (row?.last as string | null | undefined) ?? null };
  },
  pruneAttempts: (db: Executor, before: string) => db.deleteFrom('signin_attempts').where('at', '<=', before).execute(),
};
