import type { Db } from '../../db/database.js';
import type { UndertakingVersionsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, hasStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';

export interface UndertakingsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly users: Pick<UsersService, 'verifyStepUp' | 'profiles'>;
}

export interface UndertakingView {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly body: string;
  readonly publishedAt: string;
}

const view = (r: UndertakingVersionsTable): UndertakingView => ({
  id: r.id,
  version: r.version,
  title: r.title,
  body: r.body,
  publishedAt: r.published_at,
});

const latest = (db: Db) =>
  db
    .selectFrom('undertaking_versions')
    .selectAll()
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();

/**
 * The staff confidentiality undertaking. Versions are published by an admin; a staff member's roles are active only
 * once they have accepted the newest one, confirmed with a fresh one-time code (recorded with the time, the request
 * and a keyed hash of the address). Publishing a new version therefore suspends every other staff member's access
 * until they accept it. Before any version is published there is nothing to accept, and roles work as they did.
 */
export function createUndertakingsService(deps: UndertakingsDeps) {
  const { db, clock } = deps;

  async function hasAcceptedCurrent(userId: string): Promise<boolean> {
    const current = await latest(db);
    if (!current) return true;
    return (
      (await db
        .selectFrom('undertaking_acceptances')
        .select('at')
        .where('user_id', '=', userId)
        .where('undertaking_id', '=', current.id)
        .executeTakeFirst()) !== undefined
    );
  }

  async function requireCode(actor: Actor, code: string, ctx: RequestContext): Promise<void> {
    if (await deps.users.verifyStepUp(actor.userId, code)) return;
    await deps.audit.recordAlone(
      {
        action: 'access.denied',
        actor: auditActor(actor),
        result: 'denied',
        details: { reason: 'bad_second_factor', during: 'undertaking' },
      },
      ctx,
    );
    throw new AppError(
      'STEWARD_INVALID_CREDENTIALS',
      'The one-time code is wrong or was already used; enter a new one.',
    );
  }

  const evidence = (ctx: RequestContext) =>
    JSON.stringify({
      requestId: ctx.requestId ?? null,
      ipHash: ctx.ip ? deps.vault.auditHash(`ip:${ctx.ip}`) : null,
    });

  return {
    hasAcceptedCurrent,

    /** Throws STEWARD_UNDERTAKING_REQUIRED when the staff member has not accepted the current version. */
    async requireAccepted(staffId: string): Promise<void> {
      if (!(await hasAcceptedCurrent(staffId)))
        throw new AppError(
          'STEWARD_UNDERTAKING_REQUIRED',
          'Your staff roles are inactive until you accept the current confidentiality undertaking (Staff › Undertaking).',
        );
    },

    async current(): Promise<UndertakingView | null> {
      const row = await latest(db);
      return row ? view(row) : null;
    },

    /** The current version and whether this staff member accepted it. */
    async statusOf(actor: Actor) {
      if (actor.kind !== 'staff') throw notFound('The staff undertaking');
      const row = await latest(db);
      const accepted = row
        ? await db
            .selectFrom('undertaking_acceptances')
            .select('at')
            .where('user_id', '=', actor.userId)
            .where('undertaking_id', '=', row.id)
            .executeTakeFirst()
        : undefined;
      return { current: row ? view(row) : null, acceptedAt: accepted?.at ?? null, pending: !!row && !accepted };
    },

    async publish(
      actor: Actor,
      input: { version: string; title: string; body: string; code: string },
      ctx: RequestContext,
    ): Promise<UndertakingView> {
      if (!hasStaffRole(actor, 'admin')) throw forbidden('Publishing the undertaking needs the admin staff role.');
      await requireCode(actor, input.code, ctx);
      const row: UndertakingVersionsTable = {
        id: newId('und', clock.nowMs()),
        version: input.version,
        title: input.title,
        body: input.body,
        published_by: actor.userId,
        published_at: clock.iso(),
      };
      await db.transaction().execute(async (trx) => {
        if (
          await trx
            .selectFrom('undertaking_versions')
            .select('id')
            .where('version', '=', input.version)
            .executeTakeFirst()
        )
          throw new AppError(
            'STEWARD_CONFLICT',
            `Version ${input.version} is already published; give the new one another version.`,
          );
        await trx.insertInto('undertaking_versions').values(row).execute();
        // The publisher wrote it and confirmed with a fresh code: that is their acceptance.
        await trx
          .insertInto('undertaking_acceptances')
          .values({
            user_id: actor.userId,
            undertaking_id: row.id,
            at: row.published_at,
            second_factor: 'totp',
            evidence: evidence(ctx),
          })
          .execute();
        await deps.audit.record(
          trx,
          {
            action: 'undertaking.published',
            actor: auditActor(actor),
            target: { type: 'undertaking', id: row.id },
            details: { version: row.version },
          },
          ctx,
        );
      });
      return view(row);
    },

    /** A staff member accepts the current version, confirming with a fresh one-time code. */
    async accept(actor: Actor, undertakingId: string, code: string, ctx: RequestContext) {
      if (actor.kind !== 'staff') throw notFound('The staff undertaking');
      const current = await latest(db);
      if (!current || current.id !== undertakingId)
        throw new AppError(
          'STEWARD_CONFLICT',
          'That is not the current undertaking; read the current one and accept it.',
        );
      await requireCode(actor, code, ctx);
      const at = clock.iso();
      await db.transaction().execute(async (trx) => {
        const res = await trx
          .insertInto('undertaking_acceptances')
          .values({
            user_id: actor.userId,
            undertaking_id: current.id,
            at,
            second_factor: 'totp',
            evidence: evidence(ctx),
          })
          .onConflict((oc) => oc.columns(['user_id', 'undertaking_id']).doNothing())
          .executeTakeFirst();
        if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0)
          await deps.audit.record(
            trx,
            {
              action: 'undertaking.accepted',
              actor: auditActor(actor),
              target: { type: 'undertaking', id: current.id },
              details: { version: current.version, secondFactor: 'totp' },
            },
            ctx,
          );
      });
      return { current: view(current), acceptedAt: at, pending: false };
    },

    /** For the internal review: every acceptance of every version, newest version first. */
    async acceptances() {
      const rows = await db
        .selectFrom('undertaking_acceptances as a')
        .innerJoin('undertaking_versions as v', 'v.id', 'a.undertaking_id')
        .select(['a.user_id', 'a.at', 'a.second_factor', 'v.version', 'v.id', 'v.published_at'])
        .orderBy('v.published_at', 'desc')
        .orderBy('a.at')
        .execute();
      const names = await deps.users.profiles([...new Set(rows.map((r) => r.user_id))]);
      return rows.map((r) => ({
        staffId: r.user_id,
        staffName: names.get(r.user_id)?.name ?? null,
        version: r.version,
        undertakingId: r.id,
        acceptedAt: r.at,
        secondFactor: r.second_factor,
      }));
    },
  };
}

export type UndertakingsService = ReturnType<typeof createUndertakingsService>;
