import type { Db, Executor } from '../../db/database.js';
import type { OrgSuspensionsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { ReviewQueue } from './queue.service.js';
import { requireReviewer } from './queue.service.js';
import { trustStore } from './trust.store.js';
import type { OpenAppeal, SuspensionView } from './trust.types.js';
import './templates.js';

export interface SuspensionsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly audit: Pick<AuditService, 'record'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'namesOf'>;
  readonly members: (orgId: string) => Promise<string[]>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly queue: Pick<ReviewQueue, 'closeForSuspension'>;
  readonly openAppeal: OpenAppeal;
  /** Called after a suspension commits, so running automation lets go at once (monitoring's kept logins). */
  readonly onSuspended?: (orgId: string) => Promise<void>;
}

/**
 * Suspending an organisation stops its automation and nothing else: schedules, monitoring and tasks stop (the
 * modules ask the standing check before each run), data and servers stay, members can still sign in, read
 * everything, see why and appeal. Reinstating removes the stop; schedules and monitoring carry on from the
 * settings they had. Every step is audited and mailed to every member.
 */
export function createSuspensionsService(deps: SuspensionsDeps) {
  const { db, clock } = deps;

  async function view(rows: readonly OrgSuspensionsTable[]): Promise<SuspensionView[]> {
    const names = await deps.orgs.namesOf(rows.map((r) => r.org_id));
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: names.get(r.org_id) ?? '(deleted organisation)',
      reason: r.reason,
      reviewItemId: r.review_item_id,
      suspendedAt: r.suspended_at,
      appealRequestId: r.appeal_request_id,
      reinstatedAt: r.reinstated_at,
      reinstateNote: r.reinstate_note,
    }));
  }

  /** Read before the transaction: inside it only `trx` may be used (SQLite has one writer). */
  async function audienceOf(orgId: string) {
    return {
      orgName: (await deps.orgs.namesOf([orgId])).get(orgId) ?? '',
      people: await deps.users.profiles(await deps.members(orgId)),
    };
  }

  async function mailMembers(args: {
    readonly trx: Executor;
    readonly orgId: string;
    readonly template: string;
    readonly vars: Record<string, string>;
    readonly dedupe: string;
    readonly audience: Awaited<ReturnType<typeof audienceOf>>;
  }) {
    const { trx, orgId, template, vars, dedupe } = args;
    const { orgName, people } = args.audience;
    for (const [id, p] of people)
      await deps.notify.queueMail(trx, {
        to: p.email,
        scope: orgId,
        orgId,
        category: 'transactional',
        template,
        vars: { name: p.name, orgName, url: `${deps.publicUrl}/orgs/${orgId}`, ...vars },
        dedupeKey: `${dedupe}:${id}`,
      });
  }

  async function suspend(
    actor: Actor,
    orgId: string,
    input: { reason: string; reviewItemId?: string },
    ctx: RequestContext,
  ): Promise<SuspensionView> {
    requireReviewer(actor);
    if ((await deps.orgs.namesOf([orgId])).size === 0) throw notFound('The organisation');
    const audience = await audienceOf(orgId);
    const now = clock.iso();
    const row: OrgSuspensionsTable = {
      id: newId('susp', clock.nowMs()),
      org_id: orgId,
      reason: input.reason,
      review_item_id: input.reviewItemId ?? null,
      suspended_by: actor.userId,
      suspended_at: now,
      appeal_request_id: null,
      reinstated_by: null,
      reinstated_at: null,
      reinstate_note: null,
    };
    await db.transaction().execute(async (trx) => {
      if (await trustStore.activeSuspension(trx, orgId))
        throw new AppError('STEWARD_CONFLICT', 'The organisation is already suspended.');
      if (input.reviewItemId) {
        const item = await trustStore.item(trx, input.reviewItemId);
        if (!item || item.org_id !== orgId) throw notFound('The review item');
      }
      await trustStore.insertSuspension(trx, row);
      await deps.queue.closeForSuspension(trx, orgId, actor.userId, now);
      await deps.audit.record(
        trx,
        {
          action: 'org.suspended',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: { suspension: row.id, reviewItem: row.review_item_id, reason: row.reason },
        },
        ctx,
      );
      await mailMembers({
        trx,
        orgId,
        template: 'trust.suspended',
        vars: { reason: row.reason },
        dedupe: `suspended:${row.id}`,
        audience,
      });
    });
    await deps.onSuspended?.(orgId);
    return (await view([row]))[0]!;
  }

  async function reinstate(actor: Actor, orgId: string, note: string, ctx: RequestContext): Promise<SuspensionView> {
    requireReviewer(actor);
    const audience = await audienceOf(orgId);
    const id = await db.transaction().execute(async (trx) => {
      const active = await trustStore.activeSuspension(trx, orgId);
      if (!active) throw new AppError('STEWARD_CONFLICT', 'The organisation is not suspended.');
      await trustStore.updateSuspension(trx, active.id, {
        reinstated_by: actor.userId,
        reinstated_at: clock.iso(),
        reinstate_note: note,
      });
      await deps.audit.record(
        trx,
        {
          action: 'org.reinstated',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: { suspension: active.id },
        },
        ctx,
      );
      await mailMembers({
        trx,
        orgId,
        template: 'trust.reinstated',
        vars: { note },
        dedupe: `reinstated:${active.id}`,
        audience,
      });
      return active.id;
    });
    const rows = await trustStore.suspensionsOf(db, orgId);
    return (await view(rows.filter((r) => r.id === id)))[0]!;
  }

  return {
    suspend,
    reinstate,
    /** For the organisation's members: whether it is suspended, why, and the appeal if one was made. */
    async statusFor(actor: Actor, orgId: string, ctx: RequestContext) {
      if (actor.kind === 'staff') requireReviewer(actor);
      else await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const active = await trustStore.activeSuspension(db, orgId);
      return active
        ? {
            suspended: true,
            reason: active.reason,
            since: active.suspended_at,
            appealRequestId: active.appeal_request_id,
          }
        : { suspended: false, reason: null, since: null, appealRequestId: null };
    },
    /** A member appeals: a support request staff answer; the suspension points to it. */
    async appeal(actor: Actor, orgId: string, message: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const active = await trustStore.activeSuspension(db, orgId);
      if (!active)
        throw new AppError('STEWARD_CONFLICT', 'The organisation is not suspended; there is nothing to appeal.');
      if (active.appeal_request_id)
        throw new AppError(
          'STEWARD_CONFLICT',
          'An appeal is already open for this suspension; add to it in its support request.',
          { supportRequestId: active.appeal_request_id },
        );
      const audience = await audienceOf(orgId);
      const author = audience.people.get(actor.userId)?.name ?? 'A member';
      const requestId = await db.transaction().execute(async (trx) => {
        const id = await deps.openAppeal(trx, {
          orgId,
          openedBy: actor.userId,
          subject: 'Appeal against the suspension',
          message,
        });
        await trustStore.updateSuspension(trx, active.id, { appeal_request_id: id });
        await deps.audit.record(
          trx,
          {
            action: 'org.appealed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'org', id: orgId },
            details: { suspension: active.id, supportRequest: id },
          },
          ctx,
        );
        await mailMembers({
          trx,
          orgId,
          template: 'trust.appealed',
          vars: { author, url: `${deps.publicUrl}/orgs/${orgId}/support/${id}` },
          dedupe: `appealed:${active.id}`,
          audience,
        });
        return id;
      });
      return { supportRequestId: requestId };
    },
    async list(actor: Actor, filter: { active: boolean; limit: number }) {
      requireReviewer(actor);
      return view(await trustStore.suspensions(db, filter.active, filter.limit));
    },
    async historyOf(actor: Actor, orgId: string) {
      requireReviewer(actor);
      return view(await trustStore.suspensionsOf(db, orgId));
    },
  };
}

export type SuspensionsService = ReturnType<typeof createSuspensionsService>;
