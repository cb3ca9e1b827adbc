import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';

/**
 * Where personalised suggestions come from: a member's own organisation's discovery, monitoring, backups and
 * billing. Each is called only for a person who consented (the service checks first), so a test can count calls.
 */
export interface RecommendationSources {
  /** Web servers on servers where no security-update task has succeeded in the last `days`. */
  webServersBehindOnUpdates(orgId: string, days: number): Promise<{ serverId: string; server: string; app: string }[]>;
  /** Databases discovered on the organisation's servers. */
  databases(orgId: string): Promise<{ serverId: string; server: string; name: string }[]>;
  /** Whether a database has a backup plan (asked of the backups module; 'unknown' suggests nothing). */
  backupPlan(orgId: string, serverId: string, database: string): Promise<'yes' | 'no' | 'unknown'>;
  /** Disks at or above `percent` used in the latest monitoring sample. */
  fullDisks(orgId: string, percent: number): Promise<{ serverId: string; server: string; usedPct: number }[]>;
  /** A plan on offer that would have cost less for the last 30 days. */
  planAdvice(
    orgId: string,
  ): Promise<{ current: { name: string }; better: { name: string }; saving: string } | undefined>;
}

/** Recipes whose successful run means the server's packages were brought up to date. */
const UPDATE_RECIPES = ['patch-os', 'initial-setup'];

/**
 * The read side of discovery, tasks and monitoring that recommendations need: latest facts, recent update runs and
 * the latest disk figures, for one organisation at a time (no authorisation: the service checked membership and
 * consent). Backups and billing come through their own modules.
 */
export function createRecommendationReads(deps: { db: Db; clock: Clock }) {
  const { db } = deps;

  async function latestFacts(orgId: string) {
    const servers = await db
      .selectFrom('servers')
      .select(['id', 'name'])
      .where('org_id', '=', orgId)
      .where('status', '=', 'ready')
      .execute();
    const out: { serverId: string; server: string; apps: { kind: string; name: string }[] }[] = [];
    for (const s of servers) {
      const snap = await db
        .selectFrom('discovery_snapshots')
        .select('facts')
        .where('server_id', '=', s.id)
        .orderBy('taken_at', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (!snap) continue;
      const facts = JSON.parse(snap.facts) as { applications?: { kind: string; name: string }[] };
      out.push({ serverId: s.id, server: s.name, apps: facts.applications ?? [] });
    }
    return out;
  }

  return {
    async webServersBehindOnUpdates(orgId: string, days: number) {
      const since = new Date(deps.clock.nowMs() - days * 86_400_000).toISOString();
      const updated = new Set(
        (
          await db
            .selectFrom('task_run_hosts as h')
            .innerJoin('task_runs as r', 'r.id', 'h.run_id')
            .select('h.server_id')
            .where('r.org_id', '=', orgId)
            .where('r.recipe', 'in', UPDATE_RECIPES)
            .where('h.status', 'in', ['succeeded', 'changed', 'unchanged'])
            .where('h.finished_at', '>=', since)
            .execute()
        ).map((r) => r.server_id),
      );
      return (await latestFacts(orgId)).flatMap((s) =>
        updated.has(s.serverId)
          ? []
          : s.apps
              .filter((a) => a.kind === 'web_server')
              .map((a) => ({ serverId: s.serverId, server: s.server, app: a.name })),
      );
    },
    async databases(orgId: string) {
      return (await latestFacts(orgId)).flatMap((s) =>
        s.apps
          .filter((a) => a.kind === 'database')
          .map((a) => ({ serverId: s.serverId, server: s.server, name: a.name })),
      );
    },
    async fullDisks(orgId: string, percent: number) {
      const rows = await db
        .selectFrom('monitoring_targets as t')
        .innerJoin('servers as s', 's.id', 't.server_id')
        .select(['t.server_id', 's.name', 't.latest'])
        .where('t.org_id', '=', orgId)
        .where('t.enabled', '=', 1)
        .execute();
      return rows.flatMap((r) => {
        const latest = r.latest ? (JSON.parse(r.latest) as { values?: Record<string, number> }) : undefined;
        const used = latest?.values?.['disk.used_pct'];
        return used !== undefined && used >= percent ? [{ serverId: r.server_id, server: r.name, usedPct: used }] : [];
      });
    },
  };
}
