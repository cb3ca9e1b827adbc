import { sql } from 'kysely';
import type { Db, Engine } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { forbidden } from '../../kernel/errors.js';
import { auditActor, type Actor, type StaffRole } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { UsersPrivacy } from '../users/users.privacy.js';
import type { UsersService } from '../users/users.service.js';
import type { UndertakingsService } from './undertakings.service.js';

export interface ReviewDeps {
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly people: Pick<UsersPrivacy, 'staffAccounts'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly undertakings: Pick<UndertakingsService, 'current' | 'acceptances'>;
}

/** Audit actions that are a staff member reading or revealing personal or customer data. */
const READ_ACTIONS = ['personal_data.read', 'personal_data.revealed', 'audit.staff_read', 'secret.revealed'];
const READERS: readonly StaffRole[] = ['admin', 'security'];

/**
 * The internal review report for operators: which staff read which personal data and why (from the audit log,
 * which the services write), staff accounts whose roles went unused (no sign-in in the period), and grants that
 * were open but never used. It reads the audit table directly, read-only: it is a report over the log itself.
 */
export function createReviewService(deps: ReviewDeps) {
  const { db } = deps;

  async function grantsTableExists(): Promise<boolean> {
    if (deps.engine === 'sqlite') {
      const r = await sql<{
        n: number;
      }>`select count(*) as n from sqlite_master where type = 'table' and name = 'access_grants'`.execute(db);
      return Number(r.rows[0]?.n ?? 0) > 0;
    }
    const r = await sql<{ t: string | null }>`select to_regclass('access_grants')::text as t`.execute(db);
    return r.rows[0]?.t != null;
  }

  /** Grants that were (or are) in force and have no `grant.used` entry; "pending" if the grants module is absent. */
  async function unusedGrants(since: string) {
    if (!(await grantsTableExists()))
      return {
        status: 'pending' as const,
        message: 'The staff access module (grants) is not installed in this database yet.',
        grants: [],
      };
    const rows = await sql<{
      id: string;
      org_id: string;
      staff_id: string | null;
      reason: string;
      state: string;
      starts_at: string | null;
      ends_at: string | null;
    }>`
      select g.id, g.org_id, g.staff_id, g.reason, g.state, g.starts_at, g.ends_at from access_grants g
      where g.starts_at is not null and g.created_at >= ${since} and g.state in ('active', 'expired', 'revoked')
        and not exists (select 1 from audit_log a where a.action = 'grant.used' and a.target_id = g.id)
      order by g.created_at`.execute(db);
    return {
      status: 'ok' as const,
      message: null,
      grants: rows.rows.map((g) => ({
        id: g.id,
        orgId: g.org_id,
        staffId: g.staff_id,
        reason: g.reason,
        state: g.state,
        startsAt: g.starts_at,
        endsAt: g.ends_at,
      })),
    };
  }

  return {
    async report(actor: Actor, input: { sinceDays: number; staleDays: number }, ctx: RequestContext) {
      if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => READERS.includes(r)))
        throw forbidden('The internal review needs the admin or security staff role.');
      const now = deps.clock.nowMs();
      const since = new Date(now - input.sinceDays * 86_400_000).toISOString();
      const staleSince = new Date(now - input.staleDays * 86_400_000).toISOString();
      const reads = await db
        .selectFrom('audit_log')
        .select(['at', 'actor_id', 'action', 'org_id', 'target_type', 'target_id', 'details'])
        .where('actor_type', '=', 'staff')
        .where('action', 'in', READ_ACTIONS)
        .where('at', '>=', since)
        .orderBy('seq', 'desc')
        .limit(5000)
        .execute();
      const readViews = reads.map((r) => {
        const d = JSON.parse(r.details) as { reason?: unknown; field?: unknown; fields?: unknown };
        return {
          at: r.at,
          staffId: r.actor_id,
          action: r.action,
          orgId: r.org_id,
          target: r.target_id ? { type: r.target_type ?? '', id: r.target_id } : null,
          reason: typeof d.reason === 'string' ? d.reason : null,
          fields: Array.isArray(d.fields) ? (d.fields as string[]) : typeof d.field === 'string' ? [d.field] : [],
        };
      });
      const byStaff = new Map<string, number>();
      for (const r of readViews) if (r.staffId) byStaff.set(r.staffId, (byStaff.get(r.staffId) ?? 0) + 1);

      const staff = await deps.people.staffAccounts();
      const lastSignIns = await db
        .selectFrom('audit_log')
        .select(['actor_id', sql<string>`max(at)`.as('last')])
        .where('action', '=', 'user.signed_in')
        .where('actor_type', '=', 'staff')
        .groupBy('actor_id')
        .execute();
      const last = new Map(lastSignIns.map((r) => [r.actor_id, r.last]));
      const staleRoles = staff
        .filter((s) => s.status === 'active' && s.roles.length > 0 && (last.get(s.id) ?? '') < staleSince)
        .map((s) => ({ staffId: s.id, roles: s.roles, lastSignInAt: last.get(s.id) ?? null, createdAt: s.createdAt }));

      const grants = await unusedGrants(since);
      // Who accepted which confidentiality undertaking, and which staff with roles have not accepted the current one.
      const current = await deps.undertakings.current();
      const acceptances = await deps.undertakings.acceptances();
      const acceptedCurrent = new Set(acceptances.filter((a) => a.undertakingId === current?.id).map((a) => a.staffId));
      const pendingStaff = current
        ? staff
            .filter((s) => s.status === 'active' && s.roles.length > 0 && !acceptedCurrent.has(s.id))
            .map((s) => s.id)
        : [];
      // Staff are named as well as identified: a reviewer reads "who", not an id (names of staff, not customers).
      const ids = new Set([
        ...readViews.flatMap((r) => (r.staffId ? [r.staffId] : [])),
        ...staleRoles.map((r) => r.staffId),
        ...grants.grants.flatMap((g) => (g.staffId ? [g.staffId] : [])),
        ...pendingStaff,
      ]);
      const profiles = await deps.users.profiles([...ids]);
      const nameOf = (id: string | null) => (id ? (profiles.get(id)?.name ?? null) : null);
      const report = {
        generatedAt: deps.clock.iso(),
        since,
        staleSince,
        personalDataReads: readViews.map((r) => ({ ...r, staffName: nameOf(r.staffId) })),
        readsByStaff: [...byStaff]
          .map(([staffId, count]) => ({ staffId, staffName: nameOf(staffId), count }))
          .sort((a, b) => b.count - a.count),
        staleRoles: staleRoles.map((r) => ({ ...r, staffName: nameOf(r.staffId) })),
        unusedGrants: { ...grants, grants: grants.grants.map((g) => ({ ...g, staffName: nameOf(g.staffId) })) },
        undertakings: {
          current: current ? { id: current.id, version: current.version, publishedAt: current.publishedAt } : null,
          acceptances: acceptances.map(({ undertakingId: _u, ...a }) => a),
          notAccepted: pendingStaff.map((id) => ({ staffId: id, staffName: nameOf(id) })),
        },
      };
      await deps.audit.recordAlone(
        {
          action: 'privacy.review_read',
          actor: auditActor(actor),
          details: { sinceDays: input.sinceDays, staleDays: input.staleDays },
        },
        ctx,
      );
      return report;
    },
  };
}

export type ReviewService = ReturnType<typeof createReviewService>;
