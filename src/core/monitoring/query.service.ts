/** Reading what monitoring stored: metric series over a range, the fleet at a glance, and followed log lines. */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { invalidInput } from '../../kernel/errors.js';
import type { Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import { logsStore, type CursorRow } from './logs/logs.store.js';
import { chooseResolution, METRIC_NAME, toSeries, unitOf } from './metrics.query.js';
import type { MetricsStore } from './metrics.store.js';
import { targetsStore } from './targets.store.js';

export interface QueryDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'allRows'>;
  readonly audit?: Pick<AuditService, 'record'>;
  readonly metrics: MetricsStore;
  readonly rawRetentionMs: number;
}

export interface MetricsQuery {
  readonly metrics: readonly string[];
  /** Epoch seconds; `to` defaults to now and `from` to an hour before `to`. */
  readonly from?: number;
  readonly to?: number;
  /** Seconds per bucket; chosen by range when absent. */
  readonly resolution?: number;
  readonly maxPoints?: number;
}

const MAX_SPAN_S = 400 * 86_400;

export function createQueryService(deps: QueryDeps) {
  const { db, clock } = deps;

  /** The range a metrics query covers, checked, and the table and bucket that answer it. */
  function rangeOf(query: MetricsQuery) {
    const to = query.to ?? Math.floor(clock.nowMs() / 1000) + 1;
    const from = query.from ?? to - 3600;
    for (const m of query.metrics)
      if (!METRIC_NAME.test(m))
        throw invalidInput(`"${m.slice(0, 120)}" is not a metric name (such as cpu.busy_pct or disk.used_pct:/var).`, {
          field: 'metrics',
        });
    if (to - from > MAX_SPAN_S) throw invalidInput('The time range may span at most 400 days.', { field: 'from' });
    const { table, bucket } = chooseResolution({
      fromS: from,
      toS: to,
      nowS: Math.floor(clock.nowMs() / 1000),
      rawRetentionS: Math.floor(deps.rawRetentionMs / 1000),
      maxPoints: query.maxPoints ?? 500,
      requested: query.resolution,
    });
    return { from, to, table, bucket };
  }

  return {
    /** The series a server has (names and units), for picking what to chart. */
    async listSeries(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      return (await deps.metrics.listSeries(db, serverId)).map((s) => ({ metric: s.name, unit: unitOf(s.name) }));
    },

    async queryMetrics(actor: Actor, orgId: string, serverId: string, query: MetricsQuery, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const w = rangeOf(query);
      const wanted = new Set(query.metrics);
      const series = (await deps.metrics.listSeries(db, serverId)).filter((s) => wanted.has(s.name));
      const rows = await deps.metrics.buckets(db, {
        table: w.table,
        seriesIds: series.map((s) => Number(s.id)),
        from: w.from,
        to: w.to,
        bucket: w.bucket,
      });
      return {
        from: w.from,
        to: w.to,
        resolution: w.bucket,
        source: w.table,
        series: query.metrics.map((metric) => {
          const id = series.find((s) => s.name === metric)?.id;
          return {
            metric,
            unit: unitOf(metric),
            ...toSeries(id === undefined ? [] : rows.filter((r) => r.series_id === Number(id))),
          };
        }),
      };
    },

    /**
     * The same figures across the organisation's servers: per metric, the `top` servers that reached the highest
     * value in the range (the ones worth a look), each with its own series, and how many servers had any. Only
     * the chosen servers' points are read.
     */
    async fleetMetrics(
      actor: Actor,
      orgId: string,
      query: MetricsQuery & { readonly top?: number },
      ctx: RequestContext,
    ) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const w = rangeOf(query);
      const top = query.top ?? 8;
      const names = new Map((await deps.servers.allRows(orgId)).map((s) => [s.id, s.name]));
      const series = (await deps.metrics.seriesOfOrg(db, orgId, query.metrics)).filter((s) => names.has(s.server_id));
      const peaks = await deps.metrics.peaks(
        db,
        w.table,
        series.map((s) => Number(s.id)),
        w.from,
        w.to,
      );
      const ranked = query.metrics.map((metric) => {
        const withPoints = series.filter((s) => s.name === metric && peaks.has(Number(s.id)));
        withPoints.sort(
          (x, y) =>
            peaks.get(Number(y.id))! - peaks.get(Number(x.id))! ||
            names.get(x.server_id)!.localeCompare(names.get(y.server_id)!),
        );
        return { metric, count: withPoints.length, chosen: withPoints.slice(0, top) };
      });
      const rows = await deps.metrics.buckets(db, {
        table: w.table,
        seriesIds: ranked.flatMap((r) => r.chosen.map((s) => Number(s.id))),
        from: w.from,
        to: w.to,
        bucket: w.bucket,
      });
      const bySeries = new Map<number, typeof rows>();
      for (const r of rows) {
        const list = bySeries.get(r.series_id);
        if (list) list.push(r);
        else bySeries.set(r.series_id, [r]);
      }
      return {
        from: w.from,
        to: w.to,
        resolution: w.bucket,
        source: w.table,
        series: ranked.map(({ metric, count, chosen }) => ({
          metric,
          unit: unitOf(metric),
          serverCount: count,
          servers: chosen.map((s) => ({
            serverId: s.server_id,
            name: names.get(s.server_id)!,
            ...toSeries(bySeries.get(Number(s.id)) ?? []),
          })),
        })),
      };
    },

    /** Every server of the organisation with its monitoring state and latest figures. */
    async fleet(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const targets = new Map((await targetsStore.targetsOf(db, orgId)).map((t) => [t.server_id, t]));
      return (await deps.servers.allRows(orgId)).map((s) => {
        const t = targets.get(s.id);
        const latest = t?.latest
          ? (JSON.parse(t.latest) as { at: string; values: Record<string, number>; top: unknown[] })
          : null;
        return {
          serverId: s.id,
          name: s.name,
          status: s.status,
          monitored: t?.enabled === 1,
          intervalSeconds: t?.interval_seconds ?? null,
          lastSampleAt: t?.last_sample_at ?? null,
          lastOkAt: t?.last_ok_at ?? null,
          lastError: t?.last_error ?? null,
          failures: t?.failures ?? 0,
          schedule: {
            due: Number(t?.samples_due ?? 0),
            taken: Number(t?.samples_taken ?? 0),
            late: Number(t?.samples_late ?? 0),
            missed: Number(t?.samples_missed ?? 0),
          },
          latest: latest?.values ?? {},
          top: (latest?.top ?? []) as {
            pid: number;
            user: string;
            command: string;
            cpuPercent: number;
            rssKb: number;
          }[],
        };
      });
    },

    async searchLogs(
      actor: Actor,
      orgId: string,
      q: { serverId?: string; source?: CursorRow['source']; text?: string; from?: string; to?: string; limit: number },
      ctx: RequestContext,
    ) {
      if (q.serverId) await deps.servers.requireServer(actor, orgId, q.serverId, ctx);
      else await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      for (const [field, v] of [
        ['from', q.from],
        ['to', q.to],
      ] as const) {
        if (v !== undefined && !Number.isFinite(Date.parse(v)))
          throw invalidInput(`${field} must be an ISO-8601 time.`, { field });
      }
      const iso = (v: string | undefined) => (v === undefined ? undefined : new Date(Date.parse(v)).toISOString());
      const rows = await logsStore.search(db, orgId, {
        serverId: q.serverId,
        source: q.source,
        text: q.text,
        fromIso: iso(q.from),
        toIso: iso(q.to),
        limit: q.limit,
      });
      return rows.map((r) => ({
        id: Number(r.id),
        serverId: r.server_id,
        source: r.source,
        path: r.path,
        observedAt: r.observed_at,
        line: r.line,
      }));
    },

    /** Followed logs of a server and where each stands. */
    async logSources(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      return (await logsStore.cursorsOf(db, serverId)).map((c) => ({
        path: c.path,
        source: c.source,
        lines: Number(c.lines),
        lastEvent: c.last_event,
        lastReadAt: c.last_read_at,
      }));
    },
  };
}

export type QueryService = ReturnType<typeof createQueryService>;
