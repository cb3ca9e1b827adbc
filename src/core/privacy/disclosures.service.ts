import type { Db, Executor } from '../../db/database.js';
import type { DisclosuresTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor, type StaffRole } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsPrivacy } from '../orgs/orgs.privacy.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import './templates.js';

export interface DisclosuresDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Queue;
  readonly notify: Pick<NotifyService, 'queueMail' | 'statusByDedupeKeys'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly people: Pick<UsersPrivacy, 'activeUserIds'>;
  readonly orgs: Pick<OrgsPrivacy, 'memberUserIds'>;
}

export interface NewDisclosure {
  readonly kind: DisclosuresTable['kind'];
  readonly recipient: string;
  readonly description: string;
  readonly agreementRef?: string;
  readonly legalBasis?: 'subpoena' | 'court_order' | 'other';
  readonly reference?: string;
  readonly dataCategories: readonly string[];
  readonly orgIds?: readonly string[];
  readonly disclosedAt?: string;
}

export const disclosureView = (r: DisclosuresTable) => ({
  id: r.id,
  kind: r.kind,
  recipient: r.recipient,
  description: r.description,
  agreementRef: r.agreement_ref,
  legalBasis: r.legal_basis,
  reference: r.reference,
  dataCategories: JSON.parse(r.data_categories) as string[],
  orgIds: r.org_ids ? (JSON.parse(r.org_ids) as string[]) : null,
  status: r.status,
  disclosedAt: r.disclosed_at,
  noticesRequestedAt: r.notices_requested_at,
  completedAt: r.completed_at,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

const READERS: readonly StaffRole[] = ['admin', 'security'];
const BATCH = 200;
const noticeKey = (disclosureId: string, userId: string) => `transfer:${disclosureId}:${userId}`;

/**
 * The disclosure register: what personal data went to whom and why. Partner disclosures name their
 * confidentiality agreement; legal requests their basis and reference. A transfer on a merger or acquisition is
 * planned first, then every affected person is sent a notice, and only when every notice has actually been
 * delivered to the mail server can the transfer be recorded as done.
 */
export function createDisclosuresService(deps: DisclosuresDeps) {
  const { db, clock } = deps;

  const requireRole = (actor: Actor, roles: readonly StaffRole[]) => {
    if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => roles.includes(r)))
      throw forbidden(`The disclosure register needs one of these staff roles: ${roles.join(', ')}.`);
  };

  async function byId(exec: Executor, actor: Actor, id: string): Promise<DisclosuresTable> {
    // Customers learn nothing about the register, not even whether an id exists.
    if (actor.kind !== 'staff') throw notFound('The disclosure');
    requireRole(actor, READERS);
    const row = await exec.selectFrom('disclosures').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('The disclosure');
    return row;
  }

  /** Everyone the disclosure concerns: members of the named organisations, or every active account. */
  async function affected(row: DisclosuresTable): Promise<string[]> {
    if (row.org_ids) {
      const ids = new Set<string>();
      for (const orgId of JSON.parse(row.org_ids) as string[])
        for (const u of await deps.orgs.memberUserIds(orgId)) ids.add(u);
      return [...ids].sort();
    }
    const out: string[] = [];
    for (let after = ''; ;) {
      const batch = await deps.people.activeUserIds(after, 1000);
      if (batch.length === 0) return out;
      out.push(...batch.map((u) => u.id));
      after = batch.at(-1)!.id;
    }
  }

  /** One disclosure, with how far the notices of a transfer got. */
  async function get(actor: Actor, id: string) {
    const row = await byId(db, actor, id);
    const people = await affected(row);
    const statuses = await deps.notify.statusByDedupeKeys(people.map((u) => noticeKey(row.id, u)));
    const delivered = [...statuses.values()].filter((s) => s === 'sent').length;
    return {
      ...disclosureView(row),
      notices: row.kind === 'transfer' ? { affected: people.length, queued: statuses.size, delivered } : null,
    };
  }

  return {
    async record(actor: Actor, input: NewDisclosure, ctx: RequestContext) {
      requireRole(actor, ['admin']);
      if (input.kind === 'partner' && !input.agreementRef)
        throw invalidInput('A disclosure to a partner needs the reference of its confidentiality agreement.', {
          field: 'agreementRef',
        });
      if (input.kind === 'legal' && (!input.legalBasis || !input.reference))
        throw invalidInput('A legal request needs its basis (subpoena, court order, other) and its reference.', {
          field: 'legalBasis',
        });
      const now = clock.iso();
      const row: DisclosuresTable = {
        id: newId('dsc', clock.nowMs()),
        kind: input.kind,
        recipient: input.recipient,
        description: input.description,
        agreement_ref: input.agreementRef ?? null,
        legal_basis: input.legalBasis ?? null,
        reference: input.reference ?? null,
        data_categories: JSON.stringify(input.dataCategories),
        org_ids: input.orgIds && input.orgIds.length > 0 ? JSON.stringify([...new Set(input.orgIds)]) : null,
        status: input.kind === 'transfer' ? 'planned' : 'recorded',
        disclosed_at: input.kind === 'transfer' ? null : (input.disclosedAt ?? now),
        notices_requested_at: null,
        completed_at: null,
        created_by: actor.userId,
        created_at: now,
        updated_at: now,
      };
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('disclosures').values(row).execute();
        await deps.audit.record(
          trx,
          {
            action: 'disclosure.recorded',
            actor: auditActor(actor),
            target: { type: 'disclosure', id: row.id },
            details: { kind: row.kind, status: row.status },
          },
          ctx,
        );
      });
      return disclosureView(row);
    },

    async list(actor: Actor) {
      requireRole(actor, READERS);
      return (await db.selectFrom('disclosures').selectAll().orderBy('created_at', 'desc').execute()).map(
        disclosureView,
      );
    },

    get,

    /** Queues the notice of a planned transfer to every affected person (again, for anyone added since). */
    async sendTransferNotices(actor: Actor, id: string, ctx: RequestContext) {
      await db.transaction().execute(async (trx) => {
        const row = await byId(trx, actor, id);
        requireRole(actor, ['admin']);
        if (row.kind !== 'transfer' || row.status === 'done')
          throw new AppError('STEWARD_CONFLICT', 'Notices are sent for transfers that are not done yet.');
        await trx
          .updateTable('disclosures')
          .set({ status: 'notifying', notices_requested_at: clock.iso(), updated_at: clock.iso() })
          .where('id', '=', id)
          .execute();
        await deps.queue.enqueue(trx, {
          queue: 'privacy.transfer_notices',
          payload: { disclosureId: id },
          maxAttempts: 5,
        });
        await deps.audit.record(
          trx,
          { action: 'disclosure.notices_queued', actor: auditActor(actor), target: { type: 'disclosure', id } },
          ctx,
        );
      });
      return get(actor, id);
    },

    /** Job: one transactional notice per affected person (deduplicated, so re-running only adds newcomers). */
    async queueTransferNotices(job: JobContext): Promise<void> {
      const row = await db
        .selectFrom('disclosures')
        .selectAll()
        .where('id', '=', String(job.payload.disclosureId))
        .executeTakeFirst();
      if (!row || row.kind !== 'transfer' || row.status === 'done') return;
      const people = await affected(row);
      for (let i = 0; i < people.length; i += BATCH) {
        const profiles = await deps.users.profiles(people.slice(i, i + BATCH));
        for (const [userId, p] of profiles) {
          await db.transaction().execute(async (trx) => {
            const key = noticeKey(row.id, userId);
            await trx
              .insertInto('disclosure_notices')
              .values({ disclosure_id: row.id, user_id: userId, dedupe_key: key, created_at: clock.iso() })
              .onConflict((oc) => oc.columns(['disclosure_id', 'user_id']).doNothing())
              .execute();
            await deps.notify.queueMail(trx, {
              to: p.email,
              scope: userId,
              category: 'transactional',
              template: 'privacy.transfer_notice',
              vars: {
                name: p.name,
                recipient: row.recipient,
                description: row.description,
                url: `${deps.publicUrl}/privacy`,
              },
              dedupeKey: key,
            });
          });
        }
      }
    },

    /** Records a transfer as done; refused until every affected person's notice was delivered. */
    async completeTransfer(actor: Actor, id: string, ctx: RequestContext) {
      const row = await byId(db, actor, id);
      requireRole(actor, ['admin']);
      if (row.kind !== 'transfer')
        throw new AppError(
          'STEWARD_CONFLICT',
          'Only a transfer is completed; other disclosures are recorded as they happen.',
        );
      if (row.status === 'done') throw new AppError('STEWARD_CONFLICT', 'This transfer is already recorded as done.');
      const people = await affected(row);
      const statuses = await deps.notify.statusByDedupeKeys(people.map((u) => noticeKey(row.id, u)));
      const pending = people.filter((u) => statuses.get(noticeKey(row.id, u)) !== 'sent').length;
      if (row.status !== 'notifying' || pending > 0) {
        throw new AppError(
          'STEWARD_NOTICES_PENDING',
          row.status === 'planned'
            ? 'Send the notices first (POST …/notices); the transfer can be recorded as done once every affected person has been told.'
            : `${pending} of ${people.length} affected people have not been sent their notice yet; wait for delivery (or send again for newcomers).`,
          { affected: people.length, pending },
        );
      }
      await db.transaction().execute(async (trx) => {
        const res = await trx
          .updateTable('disclosures')
          .set({ status: 'done', completed_at: clock.iso(), disclosed_at: clock.iso(), updated_at: clock.iso() })
          .where('id', '=', id)
          .where('status', '=', 'notifying')
          .executeTakeFirst();
        if (Number(res.numUpdatedRows) !== 1)
          throw new AppError('STEWARD_CONFLICT', 'The transfer changed meanwhile; look at it again.');
        await deps.audit.record(
          trx,
          {
            action: 'disclosure.completed',
            actor: auditActor(actor),
            target: { type: 'disclosure', id },
            details: { affected: people.length },
          },
          ctx,
        );
      });
      return get(actor, id);
    },
  };
}

export type DisclosuresService = ReturnType<typeof createDisclosuresService>;
