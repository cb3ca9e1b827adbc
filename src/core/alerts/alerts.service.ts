import type { Db, Executor } from '../../db/database.js';
import type { AlertsTable } from '../../db/schema.js';
import type { Clock } from '../../kernel/clock.js';
import { newId } from '../../kernel/ids.js';
import type { Actor } from '../actor.js';
import type { RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';

export interface NewAlert {
  readonly orgId: string;
  readonly serverId: string | null;
  readonly kind: string;
  readonly severity: AlertsTable['severity'];
  readonly title: string;
  readonly details: Record<string, unknown>;
}

export interface AlertView {
  readonly id: string;
  readonly serverId: string | null;
  readonly kind: string;
  readonly severity: string;
  readonly title: string;
  readonly details: Record<string, unknown>;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

const view = (r: AlertsTable): AlertView => ({
  id: r.id,
  serverId: r.server_id,
  kind: r.kind,
  severity: r.severity,
  title: r.title,
  details: JSON.parse(r.details) as Record<string, unknown>,
  createdAt: r.created_at,
  resolvedAt: r.resolved_at,
});

/** Alerts an organisation sees: raised by Steward's own checks (host key changes now; monitoring later). */
export function createAlertsService(deps: { db: Db; clock: Clock; orgs: Pick<OrgsService, 'requireMember'> }) {
  return {
    /** Raises an alert unless the same kind is already open for the same server (no duplicates). */
    async raise(alert: NewAlert, exec: Executor = deps.db): Promise<string> {
      let q = exec
        .selectFrom('alerts')
        .select('id')
        .where('org_id', '=', alert.orgId)
        .where('kind', '=', alert.kind)
        .where('resolved_at', 'is', null);
      q = alert.serverId === null ? q.where('server_id', 'is', null) : q.where('server_id', '=', alert.serverId);
      const open = await q.executeTakeFirst();
      if (open) return open.id;
      const id = newId('alr', deps.clock.nowMs());
      await exec
        .insertInto('alerts')
        .values({
          id,
          org_id: alert.orgId,
          server_id: alert.serverId,
          kind: alert.kind,
          severity: alert.severity,
          title: alert.title,
          details: JSON.stringify(alert.details),
          created_at: deps.clock.iso(),
          resolved_at: null,
        })
        .execute();
      return id;
    },
    async resolve(orgId: string, serverId: string | null, kind: string, exec: Executor = deps.db): Promise<void> {
      let q = exec
        .updateTable('alerts')
        .set({ resolved_at: deps.clock.iso() })
        .where('org_id', '=', orgId)
        .where('kind', '=', kind)
        .where('resolved_at', 'is', null);
      q = serverId === null ? q.where('server_id', 'is', null) : q.where('server_id', '=', serverId);
      await q.execute();
    },
    /** `kindPrefix`: only alerts whose kind starts with it (letters, digits and `:`, so no LIKE wildcard; monitoring asks for `monitoring:`). */
    async list(
      actor: Actor,
      orgId: string,
      filter: { open?: boolean; limit: number; kindPrefix?: string },
      ctx: RequestContext,
    ): Promise<AlertView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      let q = deps.db
        .selectFrom('alerts')
        .selectAll()
        .where('org_id', '=', orgId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit);
      if (filter.open) q = q.where('resolved_at', 'is', null);
      if (filter.kindPrefix !== undefined && /^[a-z0-9:]+$/.test(filter.kindPrefix))
        q = q.where('kind', 'like', `${filter.kindPrefix}%`);
      return (await q.execute()).map(view);
    },
  };
}

export type AlertsService = ReturnType<typeof createAlertsService>;
