import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError, forbidden } from '../../kernel/errors.js';
import { newId, randomToken } from '../../kernel/ids.js';
import { hasStaffRole, type Actor } from '../actor.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Vault } from '../vault/vault.service.js';
import {
  cleanDownload,
  cleanPath,
  languageOf,
  optedOutByHeaders,
  parseUserAgent,
  referrerHost,
  truncateIp,
} from './analytics.rules.js';
import type { ConsentService } from './consent.service.js';
import { analyticsStore } from './analytics.store.js';

export interface AnalyticsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<Config, 'publicUrl' | 'privacy'>;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly consent: Pick<ConsentService, 'recordDecision'>;
}

/** What the HTTP layer knows about the visitor's request. */
export interface VisitorRequest {
  readonly ip: string;
  readonly requestId: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The analytics cookie's value, if the browser sent one. */
  readonly visitorCookie: string | undefined;
  /** The signed-in person, if any. */
  readonly userId: string | undefined;
}

export interface CookieAdvice {
  /** A new cookie value to set, or undefined. */
  readonly set?: string;
  /** Whether to tell the browser to drop the cookie. */
  readonly clear: boolean;
}

const VISITOR = /^[A-Za-z0-9_-]{22}$/;
const RATE_WINDOW_MS = 60_000;
const RATE_PER_WINDOW = 120;

/**
 * First-party cookie analytics. Nothing is recorded without the analytics cookie, and the cookie exists only after
 * the banner's "accept"; Do-Not-Track or Global Privacy Control override it (no event, and the cookie is
 * dropped). An event is linked to the signed-in person only when their own consent record says yes; a person
 * who withdrew gets no events at all. The cookie's value is stored only as a keyed hash, the raw IP address
 * only until the retention job truncates it.
 */
export function createAnalyticsService(deps: AnalyticsDeps) {
  const { db, clock } = deps;
  const ownHost = new URL(deps.config.publicUrl).hostname.toLowerCase();
  const windows = new Map<string, { start: number; count: number }>();

  function allowed(ip: string): boolean {
    const now = clock.nowMs();
    const w = windows.get(ip);
    if (!w || now - w.start > RATE_WINDOW_MS) {
      if (windows.size > 10_000) windows.clear();
      windows.set(ip, { start: now, count: 1 });
      return true;
    }
    return ++w.count <= RATE_PER_WINDOW;
  }

  const header = (req: VisitorRequest, name: string): string | undefined => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };
  const ctxOf = (req: VisitorRequest) => ({
    requestId: req.requestId,
    ip: req.ip,
    userAgent: header(req, 'user-agent'),
  });

  return {
    /** The banner's answer. Accepting sets the cookie (and records the signed-in person's consent); declining drops it. */
    async bannerDecision(granted: boolean, req: VisitorRequest): Promise<CookieAdvice & { recorded: boolean }> {
      const hasCookie = req.visitorCookie !== undefined;
      if (granted && optedOutByHeaders(req.headers)) return { clear: hasCookie, recorded: false };
      if (req.userId) {
        const state = await analyticsStore.consentState(db, req.userId);
        if (state !== (granted ? 'granted' : 'withdrawn')) {
          await db.transaction().execute((trx) =>
            deps.consent.recordDecision(trx, {
              userId: req.userId!,
              purpose: 'analytics',
              granted,
              source: 'banner',
              auditAs: { type: 'user', id: req.userId! },
              ctx: ctxOf(req),
            }),
          );
        }
      }
      if (!granted) return { clear: hasCookie, recorded: req.userId !== undefined };
      const keep = req.visitorCookie && VISITOR.test(req.visitorCookie);
      return { set: keep ? undefined : randomToken(16), clear: false, recorded: req.userId !== undefined };
    },

    /** Records one page view or download, if and only if the visitor may be counted. */
    async collect(
      input: { kind: 'pageview' | 'download'; path: string; referrer?: string; language?: string },
      req: VisitorRequest,
    ): Promise<CookieAdvice & { stored: boolean }> {
      const hasCookie = req.visitorCookie !== undefined;
      if (optedOutByHeaders(req.headers)) return { stored: false, clear: hasCookie };
      if (!req.visitorCookie || !VISITOR.test(req.visitorCookie)) return { stored: false, clear: hasCookie };
      let userId: string | null = null;
      if (req.userId) {
        const state = await analyticsStore.consentState(db, req.userId);
        if (state === 'withdrawn') return { stored: false, clear: true };
        if (state === 'granted') userId = req.userId;
      }
      if (!allowed(req.ip)) throw new AppError('STEWARD_RATE_LIMITED', 'Too many analytics events from this address.');
      const path = input.kind === 'download' ? cleanDownload(input.path, ownHost) : cleanPath(input.path);
      if (!path) return { stored: false, clear: false };
      const ua = parseUserAgent(header(req, 'user-agent'));
      const immediate = deps.config.privacy.analyticsIpRetentionMs === 0;
      await analyticsStore.insert(db, {
        id: newId('evt', clock.nowMs()),
        at: clock.iso(),
        kind: input.kind,
        visitor: deps.vault.auditHash(`visitor:${req.visitorCookie}`),
        user_id: userId,
        path,
        referrer_host: referrerHost(input.referrer, ownHost) ?? null,
        ip: immediate ? truncateIp(req.ip) : req.ip,
        ip_truncated: immediate ? 1 : 0,
        browser: ua.browser,
        browser_version: ua.version,
        os: ua.os,
        language: languageOf(input.language, header(req, 'accept-language')),
      });
      return { stored: true, clear: false };
    },

    /** Retention: truncate raw addresses past their time, delete events past theirs. Safe to run anywhere, often. */
    async applyRetention(): Promise<{ truncated: number; deleted: number }> {
      const now = clock.nowMs();
      // Old events go first, so nothing is truncated only to be deleted a moment later.
      const deleted = await analyticsStore.deleteBefore(
        db,
        new Date(now - deps.config.privacy.analyticsRetentionMs).toISOString(),
      );
      const ipCutoff = new Date(now - deps.config.privacy.analyticsIpRetentionMs).toISOString();
      let truncated = 0;
      for (;;) {
        const rows = await analyticsStore.rawIpsBefore(db, ipCutoff, 500);
        if (rows.length === 0) break;
        for (const r of rows) truncated += await analyticsStore.truncate(db, r.id, truncateIp(r.ip));
      }
      if (truncated + deleted > 0)
        await deps.audit.recordAlone({
          action: 'analytics.retention_applied',
          actor: { type: 'system' },
          details: { truncated, deleted },
        });
      return { truncated, deleted };
    },

    /** Dashboard figures for marketing (and admin) staff: visits, top pages, referrers, downloads. */
    async summary(actor: Actor, range: { from: string; to: string }) {
      if (!hasStaffRole(actor, 'marketing') && !hasStaffRole(actor, 'admin'))
        throw forbidden('Analytics dashboards need the marketing or admin staff role.');
      const base = () => db.selectFrom('analytics_events').where('at', '>=', range.from).where('at', '<', range.to);
      const count = sql<number>`count(*)`;
      const visitors = sql<number>`count(distinct visitor)`;
      const [totals] = await base()
        .where('kind', '=', 'pageview')
        .select([
          count.as('views'),
          visitors.as('visitors'),
          sql<number>`count(distinct visitor || substr(at, 1, 10))`.as('visits'),
        ])
        .execute();
      const top = (column: 'path' | 'browser' | 'os' | 'language', kind: 'pageview' | 'download', limit = 20) =>
        base()
          .where('kind', '=', kind)
          .select([sql<string>`${sql.ref(column)}`.as('key'), count.as('n')])
          .groupBy(column)
          .orderBy('n', 'desc')
          .orderBy(column)
          .limit(limit)
          .execute();
      const referrers = await base()
        .where('kind', '=', 'pageview')
        .where('referrer_host', 'is not', null)
        .select([sql<string>`referrer_host`.as('key'), visitors.as('n')])
        .groupBy('referrer_host')
        .orderBy('n', 'desc')
        .limit(20)
        .execute();
      const daily = await base()
        .where('kind', '=', 'pageview')
        .select([sql<string>`substr(at, 1, 10)`.as('day'), count.as('views'), visitors.as('visitors')])
        .groupBy(sql`substr(at, 1, 10)`)
        .orderBy('day')
        .execute();
      const pairs = (rows: { key: string; n: number }[]) => rows.map((r) => ({ key: r.key, count: Number(r.n) }));
      return {
        from: range.from,
        to: range.to,
        pageViews: Number(totals?.views ?? 0),
        visitors: Number(totals?.visitors ?? 0),
        visits: Number(totals?.visits ?? 0),
        topPages: pairs(await top('path', 'pageview')),
        referrers: pairs(referrers),
        downloads: pairs(await top('path', 'download')),
        browsers: pairs(await top('browser', 'pageview', 10)),
        systems: pairs(await top('os', 'pageview', 10)),
        languages: pairs(await top('language', 'pageview', 10)),
        daily: daily.map((d) => ({ day: d.day, views: Number(d.views), visitors: Number(d.visitors) })),
      };
    },

    eventsOf: (userId: string) => analyticsStore.eventsOf(db, userId),
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
