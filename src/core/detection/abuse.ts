import type { Db } from '../../db/database.js';

/** Rules whose findings show a customer's own server attacking others (not being attacked). */
export const ABUSE_RULES: readonly string[] = ['outbound_attack'];

/**
 * Findings of abuse, for the fraud and abuse review: read-only, no authorisation (the caller is the review's
 * scheduled scan, which raises each finding once).
 */
export function createAbuseFindings(deps: { db: Db }) {
  return {
    async since(iso: string) {
      const rows = await deps.db
        .selectFrom('findings')
        .select(['id', 'org_id', 'server_name', 'title', 'last_seen_at'])
        .where('rule', 'in', [...ABUSE_RULES])
        .where('last_seen_at', '>=', iso)
        .orderBy('last_seen_at')
        .limit(1000)
        .execute();
      return rows.map((r) => ({
        id: r.id,
        orgId: r.org_id,
        serverName: r.server_name,
        title: r.title,
        at: r.last_seen_at,
      }));
    },
  };
}
