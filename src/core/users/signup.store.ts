import type { Executor } from '../../db/database.js';
import type { SignupRequestsTable } from '../../db/schema.js';

export type SignupRow = SignupRequestsTable;

/** Data access for sign-ups waiting for their address to be confirmed, and the sign-up limits' counters. */
export const signupStore = {
  insert: (db: Executor, row: SignupRow) => db.insertInto('signup_requests').values(row).execute(),
  byTokenHash: (db: Executor, hash: string) =>
    db.selectFrom('signup_requests').selectAll().where('token_hash', '=', hash).executeTakeFirst(),
  byEmailIndex: (db: Executor, bidx: string) =>
    db.selectFrom('signup_requests').selectAll().where('email_bidx', '=', bidx).execute(),
  expired: (db: Executor, now: string) =>
    db.selectFrom('signup_requests').selectAll().where('expires_at', '<=', now).limit(100).execute(),
  /** True when this call removed the row (so two clicks on one link cannot both create the account). */
  remove: async (db: Executor, id: string): Promise<boolean> =>
    Number((await db.deleteFrom('signup_requests').where('id', '=', id).executeTakeFirst()).numDeletedRows) === 1,

  insertAttempt: (db: Executor, id: string, subject: string, at: string) =>
    db.insertInto('signup_attempts').values({ id, subject, at }).execute(),
  countAttempts: async (db: Executor, subject: string, since: string) =>
    Number(
      (
        await db
          .selectFrom('signup_attempts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('subject', '=', subject)
          .where('at', '>', since)
          .executeTakeFirst()
      )?.n ?? 0,
    ),
  pruneAttempts: (db: Executor, before: string) => db.deleteFrom('signup_attempts').where('at', '<=', before).execute(),
};
