/** Data access for alert rules and where each rule stands on each server. */
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { AlertRulesTable, AlertStatesTable } from '../../db/schema.js';

export type RuleRow = AlertRulesTable;
export type StateRow = AlertStatesTable;

/** A rule with where it stands on one server (the `s_` columns are null where it is not breached). */
type RuleWithStateRow = RuleRow & {
  readonly s_state: StateRow['state'] | null;
  readonly s_since_ms: number | null;
  readonly s_value: number | null;
  readonly s_subject: string | null;
  readonly s_alert_id: string | null;
  readonly s_updated_at: string | null;
};

export const alertingStore = {
  rules: (db: Executor, orgId: string) =>
    db.selectFrom('alert_rules').selectAll().where('org_id', '=', orgId).orderBy('created_at').execute(),
  rule: (db: Executor, orgId: string, id: string) =>
    db.selectFrom('alert_rules').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst(),
  /**
   * The rules that apply to a server, each with where it stands there (null: not breached), in one statement: a
   * sample judges them all.
   */
  async rulesWithStates(
    db: Executor,
    orgId: string,
    serverId: string,
  ): Promise<{ readonly rule: RuleRow; readonly state: StateRow | null }[]> {
    // SQL text, not the query builder: every sample runs this.
    const { rows } = await sql<RuleWithStateRow>`
      select r.*, s.state as s_state, s.since_ms as s_since_ms, s.value as s_value, s.subject as s_subject,
        s.alert_id as s_alert_id, s.updated_at as s_updated_at
      from alert_rules r left join alert_states s on s.rule_id = r.id and s.server_id = ${serverId}
      where r.org_id = ${orgId} and r.enabled = 1 and (r.server_id is null or r.server_id = ${serverId})`.execute(db);
    return rows.map(({ s_state, s_since_ms, s_value, s_subject, s_alert_id, s_updated_at, ...rule }) => ({
      rule,
      state:
        s_state === null
          ? null
          : {
              rule_id: rule.id,
              server_id: serverId,
              org_id: rule.org_id,
              state: s_state,
              since_ms: Number(s_since_ms),
              value: s_value,
              subject: s_subject,
              alert_id: s_alert_id,
              updated_at: s_updated_at ?? '',
            },
    }));
  },
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
