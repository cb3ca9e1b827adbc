import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import type { ReviewItemsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, requireStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import { trustStore } from './trust.store.js';
import type { AbuseFindings, NewSignal, ReviewItemView } from './trust.types.js';

export interface QueueDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly risk: { readonly orgsPerAddress: number; readonly windowMs: number };
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'namesOf'>;
  readonly findings: AbuseFindings;
}

export const REVIEWERS = ['security', 'admin'];

export function requireReviewer(actor: Actor): void {
  requireStaffRole(
    actor,
    REVIEWERS,
    'The review',
    'The fraud and abuse review needs the security or admin staff role.',
  );
}

/**
 * The fraud and abuse review queue. Risk signals put an organisation here, once per subject (an invoice, a
 * finding, an address): payment failures and unpaid invoices from billing, in their transactions; organisations
 * created from one address and findings of a customer's servers attacking others, from a scheduled scan. Nothing
 * here acts on the organisation: staff decide (dismiss, or suspend through the suspensions service).
 */
export function createReviewQueue(deps: QueueDeps) {
  const { db, clock } = deps;

  async function raise(exec: Executor, signal: NewSignal): Promise<boolean> {
    const row: ReviewItemsTable = {
      id: newId('rev', clock.nowMs()),
      org_id: signal.orgId,
      signal: signal.signal,
      key: signal.key,
      summary: signal.summary,
      details: JSON.stringify(signal.details),
      status: 'open',
      opened_at: clock.iso(),
      closed_at: null,
      closed_by: null,
      outcome: null,
    };
    if (!(await trustStore.insertItem(exec, row))) return false;
    await deps.audit.record(exec, {
      action: 'review.raised',
      orgId: signal.orgId,
      actor: { type: 'system' },
      target: { type: 'review_item', id: row.id },
      details: { signal: signal.signal },
    });
    return true;
  }

  async function views(rows: readonly ReviewItemsTable[]): Promise<ReviewItemView[]> {
    const names = await deps.orgs.namesOf(rows.map((r) => r.org_id));
    const suspended = new Set(
      (await trustStore.suspendedAmong(db, [...new Set(rows.map((r) => r.org_id))])).map((r) => r.org_id),
    );
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: names.get(r.org_id) ?? '(deleted organisation)',
      signal: r.signal,
      summary: r.summary,
      details: JSON.parse(r.details) as Record<string, unknown>,
      status: r.status,
      openedAt: r.opened_at,
      closedAt: r.closed_at,
      outcome: r.outcome,
      suspended: suspended.has(r.org_id),
    }));
  }

  /** Organisations created (or signed up) from one client address within the window. */
  async function orgsPerAddress(): Promise<number> {
    const since = new Date(clock.nowMs() - deps.risk.windowMs).toISOString();
    const rows = await db
      .selectFrom('audit_log')
      .select(['ip', 'org_id'])
      .where('action', 'in', ['user.signed_up', 'org.created'])
      .where('at', '>=', since)
      .where('ip', 'is not', null)
      .where('org_id', 'is not', null)
      .execute();
    const byAddress = new Map<string, Set<string>>();
    for (const r of rows) byAddress.set(r.ip!, (byAddress.get(r.ip!) ?? new Set()).add(r.org_id!));
    let raised = 0;
    for (const [ip, orgIds] of byAddress) {
      if (orgIds.size < deps.risk.orgsPerAddress) continue;
      // The address is kept only as a keyed hash: enough to see that these organisations share one.
      const key = deps.vault.auditHash(`ip:${ip}`);
      for (const orgId of orgIds)
        if (
          await db.transaction().execute((trx) =>
            raise(trx, {
              orgId,
              signal: 'orgs_per_address',
              key,
              summary: `${orgIds.size} organisations were created from one client address within ${Math.round(deps.risk.windowMs / 3_600_000)} hours.`,
              details: { organisations: orgIds.size, addressHash: key },
            }),
          )
        )
          raised++;
    }
    return raised;
  }

  async function outboundAttacks(): Promise<number> {
    const since = new Date(clock.nowMs() - 7 * 86_400_000).toISOString();
    let raised = 0;
    for (const f of await deps.findings.since(since))
      if (
        await db.transaction().execute((trx) =>
          raise(trx, {
            orgId: f.orgId,
            signal: 'outbound_attack',
            key: f.id,
            summary: `Server ${f.serverName} looks like it is attacking others: ${f.title}`,
            details: { finding: f.id, server: f.serverName, seenAt: f.at },
          }),
        )
      )
        raised++;
    return raised;
  }

  return {
    raise,
    /** Scheduled: looks for the signals that are not raised where they happen. */
    async collectSignals(): Promise<{ orgsPerAddress: number; outboundAttacks: number }> {
      return { orgsPerAddress: await orgsPerAddress(), outboundAttacks: await outboundAttacks() };
    },
    async list(actor: Actor, filter: { status?: ReviewItemsTable['status']; limit: number }) {
      requireReviewer(actor);
      return views(await trustStore.items(db, filter.status, filter.limit));
    },
    async get(actor: Actor, id: string) {
      requireReviewer(actor);
      const row = await trustStore.item(db, id);
      if (!row) throw notFound('The review item');
      return (await views([row]))[0]!;
    },
    /** Staff raise an organisation themselves (a report from outside, say). */
    async raiseByStaff(actor: Actor, orgId: string, summary: string, ctx: RequestContext) {
      requireReviewer(actor);
      if ((await deps.orgs.namesOf([orgId])).size === 0) throw notFound('The organisation');
      const key = `staff:${newId('rev', clock.nowMs())}`;
      await db.transaction().execute(async (trx) => {
        await raise(trx, { orgId, signal: 'staff', key, summary, details: { raisedBy: actor.userId } });
        void ctx;
      });
      const row = await db
        .selectFrom('review_items')
        .selectAll()
        .where('org_id', '=', orgId)
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      return (await views([row]))[0]!;
    },
    async dismiss(actor: Actor, id: string, note: string, ctx: RequestContext) {
      requireReviewer(actor);
      await db.transaction().execute(async (trx) => {
        const row = await trustStore.item(trx, id);
        if (!row) throw notFound('The review item');
        const res = await trustStore.closeItem(trx, id, {
          status: 'dismissed',
          closed_at: clock.iso(),
          closed_by: actor.userId,
          outcome: note,
        });
        if (Number(res.numUpdatedRows) === 0) throw new AppError('STEWARD_CONFLICT', 'This item is already closed.');
        await deps.audit.record(
          trx,
          {
            action: 'review.dismissed',
            orgId: row.org_id,
            actor: auditActor(actor),
            target: { type: 'review_item', id },
            details: { signal: row.signal },
          },
          ctx,
        );
      });
      return (await views([(await trustStore.item(db, id))!]))[0]!;
    },
    /** Closes an organisation's open items as "suspended" inside the suspension's transaction. */
    async closeForSuspension(exec: Executor, orgId: string, by: string, at: string) {
      await exec
        .updateTable('review_items')
        .set({ status: 'suspended', closed_at: at, closed_by: by, outcome: sql<string>`'suspended'` })
        .where('org_id', '=', orgId)
        .where('status', '=', 'open')
        .execute();
    },
  };
}

export type ReviewQueue = ReturnType<typeof createReviewQueue>;
