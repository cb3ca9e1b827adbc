import type { Db, Executor } from '../../db/database.js';
import type { RecommendationsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ConsentService } from '../privacy/consent.service.js';
import type { RecommendationSources } from './sources.js';

export { createRecommendationReads, type RecommendationSources } from './sources.js';

export interface RecommendationsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly consent: Pick<ConsentService, 'isGranted' | 'onDecision'>;
  readonly sources: RecommendationSources;
}

export interface RecommendationView {
  readonly kind: RecommendationsTable['kind'];
  readonly title: string;
  readonly detail: string;
  readonly serverId: string | null;
}

const DISK_FULL_PERCENT = 85;
const UPDATES_DAYS = 30;
const FRESH_MS = 15 * 60_000;

/**
 * Personalised recommendations, only with the person's "recommendations" consent. Without it nothing is read,
 * nothing computed and nothing stored for them, and the console shows nothing personalised. With it, suggestions
 * are drawn from their organisation's own discovery, monitoring, backups and usage when they look (kept a quarter
 * of an hour), stored per person and organisation, and deleted in the same transaction as a withdrawal.
 */
export function registerRecommendations(deps: RecommendationsDeps) {
  const { db, clock } = deps;
  const sources = deps.sources;

  const forget = (exec: Executor, userId: string) =>
    exec.deleteFrom('recommendations').where('user_id', '=', userId).executeTakeFirst();
  deps.consent.onDecision(async (exec, d) => {
    if (d.purpose === 'recommendations' && !d.granted) {
      const res = await forget(exec, d.userId);
      if (Number(res.numDeletedRows) > 0)
        await deps.audit.record(exec, {
          action: 'recommendations.forgotten',
          actor: { type: 'user', id: d.userId },
          target: { type: 'user', id: d.userId },
          details: { deleted: Number(res.numDeletedRows) },
        });
    }
  });

  async function compute(
    orgId: string,
  ): Promise<Omit<RecommendationsTable, 'id' | 'user_id' | 'org_id' | 'computed_at'>[]> {
    const out: Omit<RecommendationsTable, 'id' | 'user_id' | 'org_id' | 'computed_at'>[] = [];
    for (const w of await sources.webServersBehindOnUpdates(orgId, UPDATES_DAYS))
      out.push({
        kind: 'security_updates',
        key: `${w.serverId}:${w.app}`,
        title: `${w.app} on ${w.server} may be behind on security updates`,
        detail: `No security update has run on ${w.server} in ${UPDATES_DAYS} days. Run “Patch the OS”, or turn on automatic security updates with initial setup.`,
      });
    for (const d of await sources.databases(orgId)) {
      const plan = await sources.backupPlan(orgId, d.serverId, d.name);
      if (plan === 'no')
        out.push({
          kind: 'no_backup_plan',
          key: `${d.serverId}:${d.name}`,
          title: `${d.name} on ${d.server} has no backup plan`,
          detail: 'A database without backups is one mistake away from losing its data. Give it a backup plan.',
        });
    }
    for (const disk of await sources.fullDisks(orgId, DISK_FULL_PERCENT))
      out.push({
        kind: 'disk_filling',
        key: disk.serverId,
        title: `The disk of ${disk.server} is ${Math.round(disk.usedPct)}% full`,
        detail: 'Clear old logs or backups, or grow the disk, before it fills up.',
      });
    const advice = await sources.planAdvice(orgId);
    if (advice)
      out.push({
        kind: 'better_plan',
        key: advice.better.name,
        title: `The ${advice.better.name} plan fits your usage better`,
        detail: `For your last 30 days of usage it would have cost ${advice.saving} less than ${advice.current.name}.`,
      });
    return out;
  }

  return {
    /** What the sources are (a test counts their calls). */
    sources,
    /**
     * The person's recommendations for one organisation: `consented: false` and nothing else (nothing read, nothing
     * computed, nothing stored) without their consent.
     */
    async forMember(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      if (actor.kind !== 'customer' || !(await deps.consent.isGranted(actor.userId, 'recommendations')))
        return { consented: false, computedAt: null, items: [] as RecommendationView[] };
      const stored = await db
        .selectFrom('recommendations')
        .selectAll()
        .where('user_id', '=', actor.userId)
        .where('org_id', '=', orgId)
        .orderBy('kind')
        .orderBy('key')
        .execute();
      const fresh = stored.length > 0 && clock.nowMs() - Date.parse(stored[0]!.computed_at) < FRESH_MS;
      let rows = stored;
      if (!fresh) {
        const items = await compute(orgId);
        const at = clock.iso();
        rows = items.map((i) => ({
          ...i,
          id: newId('rec', clock.nowMs()),
          user_id: actor.userId,
          org_id: orgId,
          computed_at: at,
        }));
        await db.transaction().execute(async (trx) => {
          // Consent may have been withdrawn while computing: then nothing is kept.
          if (!(await deps.consent.isGranted(actor.userId, 'recommendations', trx))) {
            rows = [];
            return;
          }
          await trx
            .deleteFrom('recommendations')
            .where('user_id', '=', actor.userId)
            .where('org_id', '=', orgId)
            .execute();
          if (rows.length > 0) await trx.insertInto('recommendations').values(rows).execute();
          await deps.audit.record(
            trx,
            {
              action: 'recommendations.computed',
              orgId,
              actor: auditActor(actor),
              target: { type: 'user', id: actor.userId },
              details: { count: rows.length },
            },
            ctx,
          );
        });
      }
      rows = [...rows].sort((a, b) => a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
      return {
        consented: true,
        computedAt: rows[0]?.computed_at ?? clock.iso(),
        items: rows.map((r) => ({
          kind: r.kind,
          title: r.title,
          detail: r.detail,
          serverId: r.kind === 'better_plan' ? null : r.key.split(':')[0]!,
        })),
      };
    },
  };
}

export type Recommendations = ReturnType<typeof registerRecommendations>;
