import type { Db } from '../../db/database.js';
import type { PolicyVersionsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, hasStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import { privacyStore } from './privacy.store.js';
import './templates.js';

export interface PoliciesDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Queue;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly people: Pick<UsersPrivacy, 'activeUserIds' | 'createdAt'>;
}

export interface PolicyView {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly body: string;
  readonly changes: string;
  readonly significant: boolean;
  readonly publishedAt: string;
}

export const policyView = (r: PolicyVersionsTable): PolicyView => ({
  id: r.id,
  version: r.version,
  title: r.title,
  body: r.body,
  changes: r.changes,
  significant: r.significant === 1,
  publishedAt: r.published_at,
});

const BATCH = 200;

/**
 * Privacy policy versions. Publishing a significant change queues one mail to every person's address (a job,
 * deduplicated per person and version, so a re-run or a second worker never sends twice) and makes the console
 * show a notice until the person acknowledges it. People who signed up after a version was published accepted
 * it then, so they get neither the mail nor the notice.
 */
export function createPoliciesService(deps: PoliciesDeps) {
  const { db, clock } = deps;

  return {
    async publish(
      actor: Actor,
      input: { version: string; title: string; body: string; changes: string; significant: boolean },
      ctx: RequestContext,
    ): Promise<PolicyView> {
      if (!hasStaffRole(actor, 'admin')) throw forbidden('Publishing the privacy policy needs the admin staff role.');
      const row: PolicyVersionsTable = {
        id: newId('pol', clock.nowMs()),
        version: input.version,
        title: input.title,
        body: input.body,
        changes: input.changes,
        significant: input.significant ? 1 : 0,
        published_by: actor.userId,
        published_at: clock.iso(),
      };
      await db.transaction().execute(async (trx) => {
        if (await privacyStore.policyByVersion(trx, input.version))
          throw new AppError(
            'STEWARD_CONFLICT',
            `Version ${input.version} is already published; give the new one another version.`,
          );
        await privacyStore.insertPolicy(trx, row);
        if (input.significant)
          await deps.queue.enqueue(trx, {
            queue: 'privacy.policy_notice',
            payload: { policyId: row.id },
            maxAttempts: 5,
          });
        await deps.audit.record(
          trx,
          {
            action: 'policy.published',
            actor: auditActor(actor),
            target: { type: 'policy', id: row.id },
            details: { version: input.version, significant: input.significant },
          },
          ctx,
        );
      });
      return policyView(row);
    },

    /** Job: one mail to every active account that existed when the version was published. */
    async sendNotices(job: JobContext): Promise<void> {
      const policy = await privacyStore.policyById(db, String(job.payload.policyId));
      if (!policy || policy.significant !== 1) return;
      let after = '';
      for (;;) {
        const batch = await deps.people.activeUserIds(after, BATCH);
        if (batch.length === 0) break;
        after = batch.at(-1)!.id;
        const due = batch.filter((u) => u.createdAt <= policy.published_at);
        const profiles = await deps.users.profiles(due.map((u) => u.id));
        for (const u of due) {
          const p = profiles.get(u.id);
          if (!p) continue;
          await db.transaction().execute((trx) =>
            deps.notify.queueMail(trx, {
              to: p.email,
              scope: u.id,
              category: 'transactional',
              template: 'privacy.policy_changed',
              vars: {
                name: p.name,
                version: policy.version,
                title: policy.title,
                changes: policy.changes,
                url: `${deps.publicUrl}/legal/privacy`,
              },
              dedupeKey: `policy:${policy.id}:${u.id}`,
            }),
          );
        }
      }
    },

    current: async (): Promise<PolicyView | undefined> => {
      const row = await privacyStore.latestPolicy(db);
      return row ? policyView(row) : undefined;
    },
    list: async (): Promise<PolicyView[]> => (await privacyStore.policies(db)).map(policyView),

    /** The significant change the person has not acknowledged yet, if any (the console polls this). */
    async notice(actor: Actor): Promise<PolicyView | null> {
      const since = await deps.people.createdAt(actor.userId);
      if (!since) return null;
      const row = await privacyStore.pendingSignificant(db, actor.userId, since);
      return row ? policyView(row) : null;
    },

    async acknowledge(actor: Actor, policyId: string, ctx: RequestContext): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const policy = await privacyStore.policyById(trx, policyId);
        if (!policy) throw notFound('The policy version');
        const res = await privacyStore.acknowledge(trx, actor.userId, policyId, clock.iso());
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) {
          await deps.audit.record(
            trx,
            {
              action: 'policy.acknowledged',
              actor: auditActor(actor),
              target: { type: 'policy', id: policyId },
              details: { version: policy.version },
            },
            ctx,
          );
        }
      });
    },
    acknowledgementsOf: (userId: string) => privacyStore.acknowledgementsOf(db, userId),
  };
}

export type PoliciesService = ReturnType<typeof createPoliciesService>;
