import type { Kysely } from 'kysely';

/**
 * Sign-up waits for the address to be confirmed: `signup_requests` holds what was typed (personal fields sealed
 * under the scope the account will have, the password as its hash) until the mailed link is followed, and
 * `signup_attempts` counts sign-ups per client address and per e-mail domain for the sign-up limits.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signup_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('email_bidx', 'text', (c) => c.notNull())
    .addColumn('details_sealed', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('signup_requests_email_bidx').on('signup_requests').column('email_bidx').execute();
  await db.schema.createIndex('signup_requests_expires_at').on('signup_requests').column('expires_at').execute();

  await db.schema
    .createTable('signup_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('signup_attempts_subject_at').on('signup_attempts').columns(['subject', 'at']).execute();
}
