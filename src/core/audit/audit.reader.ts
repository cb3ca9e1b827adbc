import { auditActor, type Actor, type StaffRole } from '../actor.js';
import { forbidden } from '../../kernel/errors.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { AuditRow, AuditService, RequestContext } from './audit.service.js';

export interface AuditEntryView {
  readonly seq: number;
  readonly id: string;
  readonly at: string;
  readonly action: string;
  readonly actor: { readonly type: string; readonly id: string | null };
  readonly target: { readonly type: string; readonly id: string } | null;
  readonly result: string;
  readonly requestId: string | null;
  readonly ip: string | null;
  readonly details: Record<string, unknown>;
}

const view = (r: AuditRow): AuditEntryView => ({
  seq: r.seq,
  id: r.id,
  at: r.at,
  action: r.action,
  actor: { type: r.actor_type, id: r.actor_id },
  target: r.target_type && r.target_id ? { type: r.target_type, id: r.target_id } : null,
  result: r.result,
  requestId: r.request_id,
  ip: r.ip,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

const STAFF_READERS: readonly StaffRole[] = ['admin', 'security'];

/** Who may read which audit entries: members their organisation's; admin and security staff any, and that read is audited. */
export function createAuditReader(deps: {
  audit: Pick<AuditService, 'list' | 'recordAlone' | 'latestCheckpoint' | 'checkpointPublicKey'>;
  orgs: Pick<OrgsService, 'requireMember'>;
}) {
  return {
    async forOrg(
      actor: Actor,
      orgId: string,
      filter: { before?: number; limit: number; action?: string },
      ctx: RequestContext,
    ): Promise<AuditEntryView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (
        await deps.audit.list({ orgId, afterSeq: filter.before, limit: filter.limit, action: filter.action })
      ).map(view);
    },
    /**
     * The latest signed checkpoint of the whole chain and the key that signed it, for a member to keep in their
     * own records: a later `steward audit verify` (or anyone holding it) can tell if entries before it vanished.
     */
    async checkpointFor(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return { checkpoint: (await deps.audit.latestCheckpoint()) ?? null, publicKey: deps.audit.checkpointPublicKey() };
    },
    async asStaff(
      actor: Actor,
      orgId: string | undefined,
      filter: { before?: number; limit: number; action?: string; reason: string },
      ctx: RequestContext,
    ): Promise<AuditEntryView[]> {
      if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => STAFF_READERS.includes(r)))
        throw forbidden('Reading the audit log across organisations needs the admin or security staff role.');
      await deps.audit.recordAlone(
        {
          action: 'audit.staff_read',
          orgId: orgId ?? null,
          actor: auditActor(actor),
          details: {
            reason: filter.reason,
            filter: { before: filter.before, limit: filter.limit, action: filter.action },
          },
        },
        ctx,
      );
      return (
        await deps.audit.list({ orgId, afterSeq: filter.before, limit: filter.limit, action: filter.action })
      ).map(view);
    },
  };
}

export type AuditReader = ReturnType<typeof createAuditReader>;
