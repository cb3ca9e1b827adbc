import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError, forbidden, invalidInput } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, hasStaffRole, type Actor } from '../actor.js';
import type { AuditService } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { MailGate, NotifyService } from '../notify/notify.service.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { ConsentContext, ConsentService } from './consent.service.js';
import { privacyStore } from './privacy.store.js';
import { PROMOTIONAL_TEMPLATES, type ConsentPurpose } from './privacy.types.js';
import { readUnsubscribeToken, unsubscribeHeaders, unsubscribeToken } from './unsubscribe.js';
import './templates.js';

export interface CommunicationsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<Config, 'publicUrl' | 'privacy'>;
  readonly vault: Pick<Vault, 'emailIndex' | 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly queue: Queue;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly users: Pick<UsersService, 'getProfile' | 'profiles'>;
  readonly people: Pick<UsersPrivacy, 'idByEmailIndex'>;
  readonly consent: Pick<ConsentService, 'recordDecision' | 'isGranted'>;
}

const DAY_MS = 86_400_000;
/** A friend is invited at most once in this period, whoever asks. */
const FRIEND_QUIET_MS = 30 * DAY_MS;
const BATCH = 200;

/**
 * Promotional mail and refer-a-friend, and the gate every promotional mail passes just before it is sent: the
 * suppression list first, then the consent the template needs (the recipient's, or for a referral the sender's).
 * Unknown promotional templates are refused: the gate fails closed.
 */
export function createCommunicationsService(deps: CommunicationsDeps) {
  const { db, clock, vault } = deps;
  const unsubscribeUrl = (toIndex: string, purpose: ConsentPurpose) =>
    `${deps.config.publicUrl}/unsubscribe?token=${unsubscribeToken(vault, { toIndex, purpose })}`;

  const gate: MailGate = async (mail) => {
    if (mail.category === 'transactional') return 'send';
    if (await privacyStore.suppressed(db, mail.toIndex)) return 'suppress';
    const needs = PROMOTIONAL_TEMPLATES[mail.template];
    if (needs === undefined) return 'suppress';
    if (needs === 'sender') return (await deps.consent.isGranted(mail.scope, 'referrals')) ? 'send' : 'suppress';
    const userId = await deps.people.idByEmailIndex(mail.toIndex);
    return userId !== undefined && (await deps.consent.isGranted(userId, needs)) ? 'send' : 'suppress';
  };

  /** Queues one promotional mail to a person, if they consent and are not suppressed (checked again at sending). */
  async function promoteTo(
    userId: string,
    promotion: { id: string; purpose: 'promotions' | 'partner_offers'; subject: string; body: string },
  ): Promise<boolean> {
    if (!(await deps.consent.isGranted(userId, promotion.purpose))) return false;
    const profile = await deps.users.getProfile(userId);
    const toIndex = vault.emailIndex(profile.email);
    if (await privacyStore.suppressed(db, toIndex)) return false;
    const url = unsubscribeUrl(toIndex, promotion.purpose);
    const id = await db.transaction().execute((trx) =>
      deps.notify.queueMail(trx, {
        to: profile.email,
        scope: userId,
        category: 'promotional',
        template: promotion.purpose === 'promotions' ? 'privacy.promotion' : 'privacy.partner_offer',
        vars: { subject: promotion.subject, body: promotion.body, unsubscribeUrl: url },
        dedupeKey: `promo:${promotion.id}:${userId}`,
        headers: unsubscribeHeaders(url),
      }),
    );
    return id !== undefined;
  }

  return {
    gate,
    /** Marketing (or admin) staff send a promotion; a job queues it to every consenting person. */
    async sendPromotion(
      actor: Actor,
      input: { purpose: 'promotions' | 'partner_offers'; subject: string; body: string },
      ctx: ConsentContext,
    ): Promise<{ id: string }> {
      if (!hasStaffRole(actor, 'marketing') && !hasStaffRole(actor, 'admin'))
        throw forbidden('Sending promotions needs the marketing or admin staff role.');
      const id = newId('msg', clock.nowMs());
      await db.transaction().execute(async (trx) => {
        await privacyStore.insertPromotion(trx, {
          id,
          purpose: input.purpose,
          subject: input.subject,
          body: input.body,
          recipients: 0,
          created_by: actor.userId,
          created_at: clock.iso(),
        });
        await deps.queue.enqueue(trx, { queue: 'privacy.promotion', payload: { promotionId: id }, maxAttempts: 5 });
        await deps.audit.record(
          trx,
          {
            action: 'promotion.sent',
            actor: auditActor(actor),
            target: { type: 'promotion', id },
            details: { purpose: input.purpose },
          },
          ctx,
        );
      });
      return { id };
    },

    /** Job: walks the people who consent to the promotion's purpose and queues one mail each (deduplicated). */
    async fanOutPromotion(job: JobContext): Promise<void> {
      const promotion = await privacyStore.promotion(db, String(job.payload.promotionId));
      if (!promotion) return;
      let after = '';
      let sent = 0;
      for (;;) {
        const batch = await privacyStore.consenting(db, promotion.purpose, after, BATCH);
        if (batch.length === 0) break;
        for (const { user_id } of batch) if (await promoteTo(user_id, promotion)) sent++;
        after = batch.at(-1)!.user_id;
      }
      await privacyStore.setPromotionRecipients(db, promotion.id, sent);
    },

    /**
     * A member asks Steward to invite a friend. Needs the member's refer-a-friend consent; limited per day; a
     * friend who opted out, or was invited in the last 30 days, gets nothing. The answer is the same either way,
     * so a member cannot learn whether someone opted out.
     */
    async refer(actor: Actor, input: { friendEmail: string }, ctx: ConsentContext): Promise<{ accepted: true }> {
      if (actor.kind !== 'customer') throw forbidden('Refer-a-friend is for customer accounts.');
      if (!(await deps.consent.isGranted(actor.userId, 'referrals'))) {
        throw new AppError(
          'STEWARD_CONSENT_REQUIRED',
          'Give your refer-a-friend consent in the privacy centre first: Steward sends the invitation on your behalf, with your name.',
        );
      }
      const now = clock.nowMs();
      if (
        (await privacyStore.countReferralsSince(db, actor.userId, new Date(now - DAY_MS).toISOString())) >=
        deps.config.privacy.referralsPerDay
      ) {
        throw new AppError(
          'STEWARD_RATE_LIMITED',
          `You can invite ${deps.config.privacy.referralsPerDay} friends a day; try again tomorrow.`,
        );
      }
      const me = await deps.users.getProfile(actor.userId);
      const friendIndex = vault.emailIndex(input.friendEmail);
      if (friendIndex === vault.emailIndex(me.email))
        throw invalidInput('That is your own address; name a friend’s.', { field: 'friendEmail' });
      let status: 'queued' | 'suppressed' | 'duplicate' = 'queued';
      if (await privacyStore.suppressed(db, friendIndex)) status = 'suppressed';
      else if (
        (await deps.people.idByEmailIndex(friendIndex)) ||
        (await privacyStore.friendInvitedSince(db, friendIndex, new Date(now - FRIEND_QUIET_MS).toISOString()))
      )
        status = 'duplicate';
      const id = newId('msg', now);
      await db.transaction().execute(async (trx) => {
        await privacyStore.insertReferral(trx, {
          id,
          referrer_id: actor.userId,
          friend_bidx: friendIndex,
          status,
          created_at: clock.iso(),
        });
        if (status === 'queued') {
          const url = unsubscribeUrl(friendIndex, 'referrals');
          await deps.notify.queueMail(trx, {
            to: input.friendEmail.trim(),
            scope: actor.userId,
            category: 'promotional',
            template: 'privacy.referral',
            vars: { referrerName: me.name, url: deps.config.publicUrl, unsubscribeUrl: url },
            dedupeKey: `referral:${id}`,
            headers: unsubscribeHeaders(url),
          });
        }
        await deps.audit.record(
          trx,
          { action: 'referral.sent', actor: auditActor(actor), target: { type: 'referral', id }, details: { status } },
          ctx,
        );
      });
      return { accepted: true };
    },

    /**
     * The unsubscribe link (or the mail client's one-click POST). A customer withdraws the consent the mail was
     * sent under; a friend who got a referral, or an address with no account, goes on the suppression list.
     */
    async unsubscribe(token: string, ctx: ConsentContext): Promise<{ purpose: ConsentPurpose }> {
      const claim = readUnsubscribeToken(vault, token);
      const userId = await deps.people.idByEmailIndex(claim.toIndex);
      await db.transaction().execute(async (trx) => {
        if (userId && claim.purpose !== 'referrals') {
          if (await deps.consent.isGranted(userId, claim.purpose, trx))
            await deps.consent.recordDecision(trx, {
              userId,
              purpose: claim.purpose,
              granted: false,
              source: 'unsubscribe_link',
              auditAs: { type: 'anonymous' },
              ctx,
            });
          return;
        }
        const res = await privacyStore.suppress(trx, {
          email_bidx: claim.toIndex,
          reason: claim.purpose === 'referrals' ? 'referral_opt_out' : 'unsubscribed',
          created_at: clock.iso(),
        });
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0)
          await deps.audit.record(
            trx,
            {
              action: 'suppression.added',
              actor: { type: 'anonymous' },
              details: { reason: claim.purpose === 'referrals' ? 'referral_opt_out' : 'unsubscribed' },
            },
            ctx,
          );
      });
      return { purpose: claim.purpose };
    },

    /** What an unsubscribe link is for (it throws on a damaged link); nothing changes. */
    checkUnsubscribe: (token: string): ConsentPurpose => readUnsubscribeToken(vault, token).purpose,

    async referralsOf(userId: string) {
      return (await privacyStore.referralsOf(db, userId)).map((r) => ({
        id: r.id,
        status: r.status,
        createdAt: r.created_at,
      }));
    },
  };
}

export type CommunicationsService = ReturnType<typeof createCommunicationsService>;
