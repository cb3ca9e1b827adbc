import type { Db, Executor } from '../../db/database.js';
import type { TermsAcceptancesTable, TermsVersionsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, hasStaffRole, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';

export interface TermsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly publicUrl: string;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Queue;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly people: Pick<UsersPrivacy, 'activeUserIds'>;
}

export interface TermsView {
  readonly id: string;
  readonly version: string;
  readonly title: string;
  readonly body: string;
  readonly changes: string;
  readonly material: boolean;
  readonly publishedAt: string;
}

const view = (r: TermsVersionsTable): TermsView => ({
  id: r.id,
  version: r.version,
  title: r.title,
  body: r.body,
  changes: r.changes,
  material: r.material === 1,
  publishedAt: r.published_at,
});

/** What a person agrees to when they accept; copied into each acceptance, so rewording never changes the past. */
export const termsStatement = (t: Pick<TermsView, 'title' | 'version'>): string =>
  `I have read and accept the ${t.title}, version ${t.version}.`;

const BATCH = 200;
/** How long a node trusts its reading of the newest material terms version (a new one holds people after this). */
const MATERIAL_CACHE_MS = 5_000;

/**
 * Terms of service, versioned like the privacy policy. Each acceptance records the version, the time, a keyed hash
 * of the address, the request and the statement shown. A material change asks every person to accept it at their
 * next sign-in (the console holds them on the terms page until they do) and mails every primary address once.
 * `recordAtSignUp` is what sign-up calls, in its own transaction, to record acceptance of the version in force.
 */
export function createTermsService(deps: TermsDeps) {
  const { db, clock } = deps;
  const latest = (exec: Executor) =>
    exec
      .selectFrom('terms_versions')
      .selectAll()
      .orderBy('published_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();

  async function insertAcceptance(
    exec: Executor,
    userId: string,
    terms: TermsVersionsTable,
    source: TermsAcceptancesTable['source'],
    ctx: RequestContext,
  ): Promise<boolean> {
    const res = await exec
      .insertInto('terms_acceptances')
      .values({
        user_id: userId,
        terms_id: terms.id,
        at: clock.iso(),
        source,
        evidence: JSON.stringify({
          statement: termsStatement(view(terms)),
          requestId: ctx.requestId ?? null,
          ipHash: ctx.ip ? deps.vault.auditHash(`ip:${ctx.ip}`) : null,
        }),
      })
      .onConflict((oc) => oc.columns(['user_id', 'terms_id']).doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await deps.audit.record(
      exec,
      {
        action: 'terms.accepted',
        actor: { type: 'user', id: userId },
        target: { type: 'terms', id: terms.id },
        details: { version: terms.version, source },
      },
      ctx,
    );
    return true;
  }

  let materialRead: { atMs: number; id: string | null } | undefined;
  const clear = new Map<string, string>();
  async function newestMaterial(): Promise<string | null> {
    if (materialRead && clock.nowMs() - materialRead.atMs < MATERIAL_CACHE_MS) return materialRead.id;
    const row = await db
      .selectFrom('terms_versions')
      .select('id')
      .where('material', '=', 1)
      .orderBy('published_at', 'desc')
      .executeTakeFirst();
    materialRead = { atMs: clock.nowMs(), id: row?.id ?? null };
    return materialRead.id;
  }

  /** The newest material version the person has not accepted (nor any version after it), if any. */
  async function pendingFor(userId: string): Promise<TermsView | null> {
    const material = await db
      .selectFrom('terms_versions')
      .selectAll()
      .where('material', '=', 1)
      .orderBy('published_at', 'desc')
      .executeTakeFirst();
    if (!material) return null;
    const accepted = await db
      .selectFrom('terms_acceptances as a')
      .innerJoin('terms_versions as v', 'v.id', 'a.terms_id')
      .select('a.terms_id')
      .where('a.user_id', '=', userId)
      .where('v.published_at', '>=', material.published_at)
      .executeTakeFirst();
    return accepted ? null : view((await latest(db))!);
  }

  return {
    pendingFor,
    current: async (): Promise<TermsView | null> => {
      const row = await latest(db);
      return row ? view(row) : null;
    },
    list: async (): Promise<TermsView[]> =>
      (await db.selectFrom('terms_versions').selectAll().orderBy('published_at', 'desc').execute()).map(view),

    async publish(
      actor: Actor,
      input: { version: string; title: string; body: string; changes: string; material: boolean },
      ctx: RequestContext,
    ): Promise<TermsView> {
      if (!hasStaffRole(actor, 'admin')) throw forbidden('Publishing the terms of service needs the admin staff role.');
      const row: TermsVersionsTable = {
        id: newId('tos', clock.nowMs()),
        version: input.version,
        title: input.title,
        body: input.body,
        changes: input.changes,
        material: input.material ? 1 : 0,
        published_by: actor.userId,
        published_at: clock.iso(),
      };
      await db.transaction().execute(async (trx) => {
        if (await trx.selectFrom('terms_versions').select('id').where('version', '=', input.version).executeTakeFirst())
          throw new AppError(
            'STEWARD_CONFLICT',
            `Version ${input.version} is already published; give the new one another version.`,
          );
        await trx.insertInto('terms_versions').values(row).execute();
        if (input.material)
          await deps.queue.enqueue(trx, {
            queue: 'privacy.terms_notice',
            payload: { termsId: row.id },
            maxAttempts: 5,
          });
        await deps.audit.record(
          trx,
          {
            action: 'terms.published',
            actor: auditActor(actor),
            target: { type: 'terms', id: row.id },
            details: { version: row.version, material: input.material },
          },
          ctx,
        );
      });
      materialRead = undefined;
      return view(row);
    },

    /** The person accepts the current version (at sign-in, in the console, or through the API). */
    async accept(actor: Actor, termsId: string, source: 'sign_in' | 'console' | 'api', ctx: RequestContext) {
      if (actor.kind !== 'customer') throw forbidden('Terms of service are accepted by customer accounts.');
      await db.transaction().execute(async (trx) => {
        const current = await latest(trx);
        if (!current || current.id !== termsId)
          throw new AppError('STEWARD_CONFLICT', 'That is not the current version of the terms; read it again.');
        await insertAcceptance(trx, actor.userId, current, source, ctx);
      });
      return { pending: await pendingFor(actor.userId) };
    },

    /**
     * For sign-up: records that the new person accepted the version in force, inside the sign-up's transaction.
     * Returns the version accepted, or null when no terms are published yet.
     */
    async recordAtSignUp(exec: Executor, userId: string, version: string, ctx: RequestContext): Promise<boolean> {
      const shown = await exec
        .selectFrom('terms_versions')
        .selectAll()
        .where('version', '=', version)
        .executeTakeFirst();
      if (!shown) return false;
      return insertAcceptance(exec, userId, shown, 'sign_up', ctx);
    },

    /**
     * Whether the person must accept a materially changed version before anything else (the API's hold). Cheap on
     * every request: the newest material version is read at most every few seconds, and a person found clear of
     * it is remembered until a newer one is published.
     */
    async isHeld(userId: string): Promise<boolean> {
      const material = await newestMaterial();
      if (material === null || clear.get(userId) === material) return false;
      if ((await pendingFor(userId)) !== null) return true;
      if (clear.size > 50_000) clear.clear();
      clear.set(userId, material);
      return false;
    },

    /** Every acceptance of the person, for their data export. */
    async acceptancesOf(userId: string) {
      const rows = await db
        .selectFrom('terms_acceptances as a')
        .innerJoin('terms_versions as v', 'v.id', 'a.terms_id')
        .select(['v.version', 'v.title', 'a.at', 'a.source', 'a.evidence'])
        .where('a.user_id', '=', userId)
        .orderBy('a.at')
        .execute();
      return rows.map((r) => ({
        version: r.version,
        title: r.title,
        at: r.at,
        source: r.source,
        evidence: JSON.parse(r.evidence) as Record<string, unknown>,
      }));
    },

    /** Job: one mail to every active person's primary address about a material change. */
    async sendNotices(job: JobContext): Promise<void> {
      const terms = await db
        .selectFrom('terms_versions')
        .selectAll()
        .where('id', '=', String(job.payload.termsId))
        .executeTakeFirst();
      if (!terms || terms.material !== 1) return;
      let after = '';
      for (;;) {
        const batch = await deps.people.activeUserIds(after, BATCH);
        if (batch.length === 0) break;
        after = batch.at(-1)!.id;
        const profiles = await deps.users.profiles(batch.map((u) => u.id));
        for (const u of batch) {
          const p = profiles.get(u.id);
          if (!p || p.kind !== 'customer') continue;
          await db.transaction().execute((trx) =>
            deps.notify.queueMail(trx, {
              to: p.email,
              scope: u.id,
              category: 'transactional',
              template: 'privacy.terms_changed',
              vars: {
                name: p.name,
                version: terms.version,
                title: terms.title,
                changes: terms.changes,
                url: `${deps.publicUrl}/terms`,
              },
              dedupeKey: `terms:${terms.id}:${u.id}`,
            }),
          );
        }
      }
    },
  };
}

export type TermsService = ReturnType<typeof createTermsService>;
