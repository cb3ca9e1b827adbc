import type { Db } from '../../db/database.js';
import { AppError } from '../../kernel/errors.js';
import { trustStore } from './trust.store.js';

/**
 * Whether an organisation is suspended, for the modules whose automation stops while it is: discovery schedules,
 * monitoring, tasks, launches. Built before those modules (it needs only the database), handed to each in its
 * deps, so every check reads the database at the moment it matters and every worker agrees.
 */
export function createOrgStanding(deps: { db: Db }) {
  const { db } = deps;
  async function suspension(orgId: string) {
    const row = await trustStore.activeSuspension(db, orgId);
    return row ? { id: row.id, reason: row.reason, since: row.suspended_at } : undefined;
  }
  return {
    suspension,
    async suspendedAmong(orgIds: readonly string[]): Promise<Set<string>> {
      const out = new Set<string>();
      const unique = [...new Set(orgIds)];
      for (let i = 0; i < unique.length; i += 500)
        for (const r of await trustStore.suspendedAmong(db, unique.slice(i, i + 500))) out.add(r.org_id);
      return out;
    },
    /** Throws STEWARD_ORG_SUSPENDED (with the reason members were given) when the organisation is suspended. */
    async requireActive(orgId: string, what: string): Promise<void> {
      const s = await suspension(orgId);
      if (s)
        throw new AppError(
          'STEWARD_ORG_SUSPENDED',
          `The organisation is suspended (${s.reason}), so ${what} is stopped until staff reinstate it. Members can appeal from the organisation’s overview.`,
          { since: s.since },
        );
    },
  };
}

export type OrgStanding = ReturnType<typeof createOrgStanding>;
