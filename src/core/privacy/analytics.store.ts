import type { Executor } from '../../db/database.js';
import type { AnalyticsEventsTable } from '../../db/schema.js';

/** Data access for analytics events (and the one consent fact the collector needs). */
export const analyticsStore = {
  insert: (db: Executor, row: AnalyticsEventsTable) => db.insertInto('analytics_events').values(row).execute(),

  /** The person's current analytics decision: yes, no, or never asked. */
  async consentState(db: Executor, userId: string): Promise<'granted' | 'withdrawn' | 'none'> {
    const row = await db
      .selectFrom('consent_state')
      .select('granted')
      .where('user_id', '=', userId)
      .where('purpose', '=', 'analytics')
      .executeTakeFirst();
    return row === undefined ? 'none' : row.granted === 1 ? 'granted' : 'withdrawn';
  },

  rawIpsBefore: (db: Executor, before: string, limit: number) =>
    db
      .selectFrom('analytics_events')
      .select(['id', 'ip'])
      .where('ip_truncated', '=', 0)
      .where('at', '<', before)
      .limit(limit)
      .execute(),
  async truncate(db: Executor, id: string, ip: string): Promise<number> {
    const res = await db
      .updateTable('analytics_events')
      .set({ ip, ip_truncated: 1 })
      .where('id', '=', id)
      .where('ip_truncated', '=', 0)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  },
  async deleteBefore(db: Executor, before: string): Promise<number> {
    const res = await db.deleteFrom('analytics_events').where('at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  },
  eventsOf: (db: Executor, userId: string) =>
    db
      .selectFrom('analytics_events')
      .select(['at', 'kind', 'path', 'referrer_host', 'ip', 'browser', 'browser_version', 'os', 'language'])
      .where('user_id', '=', userId)
      .orderBy('at')
      .execute(),
};
