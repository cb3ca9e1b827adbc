import type { Executor } from '../../db/database.js';
import type {
  ConsentPurpose,
  ConsentsTable,
  PolicyVersionsTable,
  PromotionsTable,
  ReferralsTable,
  SuppressionsTable,
} from '../../db/schema.js';

/** Data access for consents, the suppression list, referrals, promotions and policy versions. */
export const privacyStore = {
  insertConsent: (db: Executor, row: ConsentsTable) => db.insertInto('consents').values(row).execute(),
  /** Keeps the current decision in step with the newest record (one row per person and purpose). */
  setConsentState: (db: Executor, row: ConsentsTable) =>
    db
      .insertInto('consent_state')
      .values({ user_id: row.user_id, purpose: row.purpose, granted: row.granted, consent_id: row.id, at: row.at })
      .onConflict((oc) =>
        oc.columns(['user_id', 'purpose']).doUpdateSet({ granted: row.granted, consent_id: row.id, at: row.at }),
      )
      .execute(),
  consentState: (db: Executor, userId: string) =>
    db
      .selectFrom('consent_state')
      .innerJoin('consents', 'consents.id', 'consent_state.consent_id')
      .selectAll('consents')
      .where('consent_state.user_id', '=', userId)
      .execute(),
  consentHistory: (db: Executor, userId: string, limit: number) =>
    db
      .selectFrom('consents')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
  isGranted: async (db: Executor, userId: string, purpose: ConsentPurpose) =>
    (
      await db
        .selectFrom('consent_state')
        .select('granted')
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .executeTakeFirst()
    )?.granted === 1,
  /** People whose current decision for `purpose` is yes, in id order from `after` (for batched sends). */
  consenting: (db: Executor, purpose: ConsentPurpose, after: string, limit: number) =>
    db
      .selectFrom('consent_state')
      .select('user_id')
      .where('purpose', '=', purpose)
      .where('granted', '=', 1)
      .where('user_id', '>', after)
      .orderBy('user_id')
      .limit(limit)
      .execute(),
  consentingAmong: (db: Executor, purpose: ConsentPurpose, userIds: readonly string[]) =>
    userIds.length === 0
      ? Promise.resolve([])
      : db
          .selectFrom('consent_state')
          .select('user_id')
          .where('purpose', '=', purpose)
          .where('granted', '=', 1)
          .where('user_id', 'in', userIds)
          .execute(),

  suppressed: async (db: Executor, bidx: string) =>
    (await db.selectFrom('suppressions').select('email_bidx').where('email_bidx', '=', bidx).executeTakeFirst()) !==
    undefined,
  suppress: (db: Executor, row: SuppressionsTable) =>
    db
      .insertInto('suppressions')
      .values(row)
      .onConflict((oc) => oc.column('email_bidx').doNothing())
      .executeTakeFirst(),

  insertReferral: (db: Executor, row: ReferralsTable) => db.insertInto('referrals').values(row).execute(),
  countReferralsSince: async (db: Executor, referrerId: string, since: string) =>
    Number(
      (
        await db
          .selectFrom('referrals')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('referrer_id', '=', referrerId)
          .where('created_at', '>', since)
          .executeTakeFirst()
      )?.n ?? 0,
    ),
  friendInvitedSince: async (db: Executor, friendBidx: string, since: string) =>
    (await db
      .selectFrom('referrals')
      .select('id')
      .where('friend_bidx', '=', friendBidx)
      .where('status', '=', 'queued')
      .where('created_at', '>', since)
      .executeTakeFirst()) !== undefined,
  referralsOf: (db: Executor, referrerId: string) =>
    db
      .selectFrom('referrals')
      .select(['id', 'status', 'created_at'])
      .where('referrer_id', '=', referrerId)
      .orderBy('created_at', 'desc')
      .execute(),

  insertPromotion: (db: Executor, row: PromotionsTable) => db.insertInto('promotions').values(row).execute(),
  promotion: (db: Executor, id: string) =>
    db.selectFrom('promotions').selectAll().where('id', '=', id).executeTakeFirst(),
  setPromotionRecipients: (db: Executor, id: string, n: number) =>
    db.updateTable('promotions').set({ recipients: n }).where('id', '=', id).execute(),

  insertPolicy: (db: Executor, row: PolicyVersionsTable) => db.insertInto('policy_versions').values(row).execute(),
  policyById: (db: Executor, id: string) =>
    db.selectFrom('policy_versions').selectAll().where('id', '=', id).executeTakeFirst(),
  policyByVersion: (db: Executor, version: string) =>
    db.selectFrom('policy_versions').selectAll().where('version', '=', version).executeTakeFirst(),
  latestPolicy: (db: Executor) =>
    db
      .selectFrom('policy_versions')
      .selectAll()
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst(),
  policies: (db: Executor) =>
    db.selectFrom('policy_versions').selectAll().orderBy('published_at', 'desc').orderBy('id', 'desc').execute(),
  /** The newest significant version published after `since` that the person has not acknowledged. */
  pendingSignificant: (db: Executor, userId: string, since: string) =>
    db
      .selectFrom('policy_versions')
      .selectAll()
      .where('significant', '=', 1)
      .where('published_at', '>', since)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('policy_acknowledgements')
              .select('policy_id')
              .whereRef('policy_acknowledgements.policy_id', '=', 'policy_versions.id')
              .where('policy_acknowledgements.user_id', '=', userId),
          ),
        ),
      )
      .orderBy('published_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  acknowledge: (db: Executor, userId: string, policyId: string, at: string) =>
    db
      .insertInto('policy_acknowledgements')
      .values({ user_id: userId, policy_id: policyId, at })
      .onConflict((oc) => oc.columns(['user_id', 'policy_id']).doNothing())
      .executeTakeFirst(),
  acknowledgementsOf: (db: Executor, userId: string) =>
    db
      .selectFrom('policy_acknowledgements')
      .innerJoin('policy_versions', 'policy_versions.id', 'policy_acknowledgements.policy_id')
      .select(['policy_versions.version as version', 'policy_acknowledgements.at as at'])
      .where('user_id', '=', userId)
      .orderBy('at')
      .execute(),
};
