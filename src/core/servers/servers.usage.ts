import type { Db } from '../../db/database.js';

/**
 * What billing meters from the inventory, with no authorisation (the caller is the hourly metering job): servers
 * Steward looks after per organisation, and provider instances that run without being in the inventory yet.
 * Servers whose enrolment failed are not looked after, so they are not counted.
 */
export function createServersUsage(deps: { db: Db }) {
  const { db } = deps;
  const counts = (rows: { org_id: string; n: number | string | bigint }[]) =>
    new Map(rows.map((r) => [r.org_id, Number(r.n)]));
  return {
    async servers(): Promise<Map<string, number>> {
      return counts(
        await db
          .selectFrom('servers')
          .innerJoin('orgs', 'orgs.id', 'servers.org_id')
          .select(['servers.org_id as org_id', (eb) => eb.fn.countAll().as('n')])
          .where('orgs.status', '=', 'active')
          .where('servers.status', 'not in', ['enrolling', 'enrol_failed'])
          .groupBy('servers.org_id')
          .execute(),
      );
    },
    async instances(): Promise<Map<string, number>> {
      return counts(
        await db
          .selectFrom('provider_instances as i')
          .innerJoin('orgs', 'orgs.id', 'i.org_id')
          .select(['i.org_id as org_id', (eb) => eb.fn.countAll().as('n')])
          .where('orgs.status', '=', 'active')
          .where('i.state', 'in', ['pending', 'running', 'stopping'])
          .where('i.gone_at', 'is', null)
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('servers as s')
                  .select('s.id')
                  .whereRef('s.provider_account_id', '=', 'i.account_id')
                  .whereRef('s.provider_node_id', '=', 'i.node_id'),
              ),
            ),
          )
          .groupBy('i.org_id')
          .execute(),
      );
    },
    async monitored(): Promise<Map<string, number>> {
      return counts(
        await db
          .selectFrom('monitoring_targets as t')
          .innerJoin('orgs', 'orgs.id', 't.org_id')
          .select(['t.org_id as org_id', (eb) => eb.fn.countAll().as('n')])
          .where('orgs.status', '=', 'active')
          .where('t.enabled', '=', 1)
          .groupBy('t.org_id')
          .execute(),
      );
    },
  };
}
