import type { Db } from '../../db/database.js';
import type { Actor } from '../actor.js';
import type { AuditRow, AuditService, RequestContext } from '../audit/audit.service.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import { accessStore } from './access.store.js';

export interface TimelineDeps {
  readonly db: Db;
  readonly audit: Pick<AuditService, 'list'>;
  readonly ledger: Pick<LedgerService, 'list'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly users: Pick<UsersService, 'profiles'>;
}

export const TIMELINE_KINDS = [
  'grant',
  'support',
  'action',
  'terminal',
  'secret',
  'certificate',
  'denied',
  'login',
  'provider_call',
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  readonly id: string;
  readonly at: string;
  readonly kind: TimelineKind;
  /** The audit event code, or `ledger` for a use of a credential. */
  readonly event: string;
  readonly staff: { readonly id: string; readonly name: string } | null;
  readonly grant: { readonly id: string; readonly reason: string } | null;
  readonly target: { readonly type: string; readonly id: string } | null;
  readonly result: string;
  readonly details: Record<string, unknown>;
}

export interface TimelineFilter {
  readonly grantId?: string;
  readonly staffId?: string;
  readonly serverId?: string;
  readonly kind?: TimelineKind;
  readonly since?: string;
  readonly limit: number;
}

const KIND_OF: Record<string, TimelineKind> = {
  'grant.requested': 'grant',
  'grant.opened': 'grant',
  'grant.taken': 'grant',
  'grant.approved': 'grant',
  'grant.denied': 'grant',
  'grant.activated': 'grant',
  'grant.narrowed': 'grant',
  'grant.revoked': 'grant',
  'grant.expired': 'grant',
  'access.policy_changed': 'grant',
  'support.opened': 'support',
  'support.message': 'support',
  'support.closed': 'support',
  'grant.used': 'action',
  'task.started': 'action',
  'instance.start_requested': 'action',
  'instance.stop_requested': 'action',
  'instance.reboot_requested': 'action',
  'terminal.opened': 'terminal',
  'terminal.closed': 'terminal',
  'session.recording_incomplete': 'terminal',
  'secret.revealed': 'secret',
  'certificate.issued': 'certificate',
  'access.denied': 'denied',
};
/** Events every customer cares about even when no staff member did them (a grant expiring, a session cut). */
const ALWAYS = new Set([
  'grant.requested',
  'grant.opened',
  'grant.activated',
  'grant.expired',
  'grant.narrowed',
  'grant.revoked',
  'grant.denied',
  'grant.approved',
  'access.policy_changed',
  'support.opened',
  'support.closed',
  'session.recording_incomplete',
]);

const grantIdIn = (row: AuditRow, details: Record<string, unknown>): string | null =>
  row.target_type === 'grant' && row.target_id
    ? row.target_id
    : typeof details.grant === 'string'
      ? details.grant
      : null;

/**
 * The customer's timeline of staff access: every grant change and every staff action on the organisation's
 * resources (commands, recipes, facts read, terminal sessions with their recordings, secrets revealed,
 * certificates, provider calls, refusals), with who did it and under which grant and reason. A view over the
 * audit log and the credential-use ledger, so it shows an action as soon as its transaction commits.
 */
export function createTimelineService(deps: TimelineDeps) {
  return {
    async timeline(actor: Actor, orgId: string, filter: TimelineFilter, ctx: RequestContext): Promise<TimelineEntry[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const scan = Math.min(2000, filter.limit * 10);
      const audit = (await deps.audit.list({ orgId, limit: scan })).filter(
        (r) => r.action in KIND_OF && (r.actor_type === 'staff' || ALWAYS.has(r.action)),
      );
      const ledger = (await deps.ledger.list(actor, orgId, { limit: scan }, ctx)).filter(
        (u) => u.instruction.type === 'staff_grant',
      );
      const grantIds = new Set<string>();
      const entries: TimelineEntry[] = [];
      for (const r of audit) {
        const details = JSON.parse(r.details) as Record<string, unknown>;
        const grantId = grantIdIn(r, details);
        if (grantId) grantIds.add(grantId);
        entries.push({
          id: r.id,
          at: r.at,
          kind: KIND_OF[r.action]!,
          event: r.action,
          staff: r.actor_type === 'staff' && r.actor_id ? { id: r.actor_id, name: '' } : null,
          grant: grantId ? { id: grantId, reason: '' } : null,
          target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
          result: r.result,
          details,
        });
      }
      for (const u of ledger) {
        if (u.instruction.id) grantIds.add(u.instruction.id);
        entries.push({
          id: u.id,
          at: u.at,
          kind: u.operation.startsWith('ssh.') ? 'login' : 'provider_call',
          event: 'ledger',
          staff: u.instruction.actorId ? { id: u.instruction.actorId, name: '' } : null,
          grant: u.instruction.id ? { id: u.instruction.id, reason: '' } : null,
          target: u.target,
          result: u.outcome,
          details: { operation: u.operation, credential: u.credential },
        });
      }
      const grants = new Map((await accessStore.grantsByIds(deps.db, [...grantIds])).map((g) => [g.id, g]));
      const people = await deps.users.profiles(entries.flatMap((e) => (e.staff ? [e.staff.id] : [])));
      const serverOf = (e: TimelineEntry) =>
        e.target?.type === 'server' ? e.target.id : typeof e.details.server === 'string' ? e.details.server : null;
      return entries
        .map((e) => ({
          ...e,
          staff: e.staff ? { id: e.staff.id, name: people.get(e.staff.id)?.name ?? '' } : null,
          grant: e.grant ? { id: e.grant.id, reason: grants.get(e.grant.id)?.reason ?? '' } : null,
        }))
        .filter((e) => !filter.grantId || e.grant?.id === filter.grantId)
        .filter((e) => !filter.staffId || e.staff?.id === filter.staffId)
        .filter(
          (e) =>
            !filter.serverId ||
            serverOf(e) === filter.serverId ||
            (Array.isArray(e.details.servers) && e.details.servers.includes(filter.serverId)),
        )
        .filter((e) => !filter.kind || e.kind === filter.kind)
        .filter((e) => !filter.since || e.at >= filter.since)
        .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.id < b.id ? 1 : -1))
        .slice(0, filter.limit);
    },
  };
}

export type TimelineService = ReturnType<typeof createTimelineService>;
