/** Data access for findings, incidents and the addresses accounts log in from. */
import type { Executor } from '../../db/database.js';
import type { FindingsTable, IncidentsTable } from '../../db/schema.js';

export type FindingRow = FindingsTable;
export type IncidentRow = IncidentsTable;

export const detectionStore = {
  openFinding: (db: Executor, serverId: string, rule: string, key: string) =>
    db
      .selectFrom('findings')
      .selectAll()
      .where('server_id', '=', serverId)
      .where('rule', '=', rule)
      .where('key', '=', key)
      .where('status', '<>', 'closed')
      .executeTakeFirst(),
  insertFinding: (db: Executor, row: FindingRow) => db.insertInto('findings').values(row).execute(),
  updateFinding: (db: Executor, id: string, patch: Partial<FindingRow>) =>
    db.updateTable('findings').set(patch).where('id', '=', id).execute(),
  finding: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('findings').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  findings(
    db: Executor,
    orgId: string,
    filter: { status?: string; serverId?: string; incidentId?: string; limit: number },
  ) {
    let q = db
      .selectFrom('findings')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('last_seen_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.status === 'active') q = q.where('status', '<>', 'closed');
    else if (filter.status) q = q.where('status', '=', filter.status as FindingRow['status']);
    if (filter.serverId) q = q.where('server_id', '=', filter.serverId);
    if (filter.incidentId) q = q.where('incident_id', '=', filter.incidentId);
    return q.execute();
  },
  findingsOfIncidents: (db: Executor, ids: readonly string[]) =>
    ids.length === 0
      ? Promise.resolve([])
      : db.selectFrom('findings').selectAll().where('incident_id', 'in', ids).orderBy('first_seen_at').execute(),
  closeFindingsOf: (db: Executor, incidentId: string, by: string, at: string) =>
    db
      .updateTable('findings')
      .set({ status: 'closed', closed_by: by, closed_at: at })
      .where('incident_id', '=', incidentId)
      .where('status', '<>', 'closed')
      .execute(),

  insertIncident: (db: Executor, row: IncidentRow) => db.insertInto('incidents').values(row).execute(),
  updateIncident: (db: Executor, id: string, patch: Partial<IncidentRow>) =>
    db.updateTable('incidents').set(patch).where('id', '=', id).execute(),
  incident: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  openIncidents: (db: Executor, orgId: string) =>
    db.selectFrom('incidents').selectAll().where('org_id', '=', orgId).where('status', '<>', 'closed').execute(),
  incidents(db: Executor, orgId: string, filter: { status?: string; limit: number }) {
    let q = db
      .selectFrom('incidents')
      .selectAll()
      .where('org_id', '=', orgId)
      .orderBy('updated_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit);
    if (filter.status === 'active') q = q.where('status', '<>', 'closed');
    else if (filter.status) q = q.where('status', '=', filter.status as IncidentRow['status']);
    return q.execute();
  },

  knownLogins: async (db: Executor, serverId: string): Promise<Set<string>> =>
    new Set(
      (
        await db.selectFrom('login_sources').select(['account', 'address']).where('server_id', '=', serverId).execute()
      ).map((r) => `${r.account}@${r.address}`),
    ),
  rememberLogin: (
    db: Executor,
    row: { server_id: string; account: string; address: string; org_id: string; at: string },
  ) =>
    db
      .insertInto('login_sources')
      .values({
        server_id: row.server_id,
        account: row.account,
        address: row.address,
        org_id: row.org_id,
        first_seen_at: row.at,
        last_seen_at: row.at,
      })
      .onConflict((oc) => oc.columns(['server_id', 'account', 'address']).doUpdateSet({ last_seen_at: row.at }))
      .execute(),
};
