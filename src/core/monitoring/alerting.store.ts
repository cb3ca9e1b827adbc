/** Data access for alert rules and where each rule stands on each server. */
import type { Executor } from '../../db/database.js';
import type { AlertRulesTable, AlertStatesTable } from '../../db/schema.js';

export type RuleRow = AlertRulesTable;
export type StateRow = AlertStatesTable;

export const alertingStore = {
  rules: (db: Executor, orgId: string) =>
    db.selectFrom('alert_rules').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute(),
  rule: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('alert_rules').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  /** Enabled rules that apply to a server: its own and the organisation-wide ones. */
  rulesFor: (db: Executor, orgId: string, serverId: string) =>
    db
      .selectFrom('alert_rules')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('server_id', 'is', null), eb('server_id', '=', serverId)]))
      .execute(),
  insertRule: (db: Executor, row: RuleRow) => db.insertInto('alert_rules').values(row).execute(),
  updateRule: (db: Executor, id: string, patch: Partial<RuleRow>) =>
    db.updateTable('alert_rules').set(patch).where('id', '=', id).execute(),
  deleteRule: (db: Executor, id: string) => db.deleteFrom('alert_rules').where('id', '=', id).execute(),
  countRules: async (db: Executor, orgId: string) =>
    Number(
      (
        await db
          .selectFrom('alert_rules')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', orgId)
          .executeTakeFirst()
      )?.n ?? 0,
    ),

  statesOf: (db: Executor, serverId: string) =>
    db.selectFrom('alert_states').selectAll().where('server_id', '=', serverId).execute(),
  statesOfRule: (db: Executor, ruleId: string) =>
    db.selectFrom('alert_states').selectAll().where('rule_id', '=', ruleId).execute(),
  firingOf: (db: Executor, orgId: string) =>
    db.selectFrom('alert_states').selectAll().where('org_id', '=', orgId).where('state', '=', 'firing').execute(),
  upsertState: (db: Executor, row: StateRow) =>
    db
      .insertInto('alert_states')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['rule_id', 'server_id']).doUpdateSet({
          state: row.state,
          since_ms: row.since_ms,
          value: row.value,
          subject: row.subject,
          alert_id: row.alert_id,
          updated_at: row.updated_at,
        }),
      )
      .execute(),
  deleteState: (db: Executor, ruleId: string, serverId: string) =>
    db.deleteFrom('alert_states').where('rule_id', '=', ruleId).where('server_id', '=', serverId).execute(),
};
