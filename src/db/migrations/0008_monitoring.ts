import { SqliteAdapter, sql, type CreateTableBuilder, type Kysely } from 'kysely';

/*
 * Monitoring, operational logs and detection (docs/decisions/0009-monitoring.md). Metric points use integer
 * series ids and epoch seconds rather than the usual text ids and ISO times: there are millions of them, and
 * bucketing by time is integer arithmetic on both engines. On SQLite the point tables are WITHOUT ROWID, so
 * each point is stored once, in its primary key.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
export async function up(db: Kysely<any>): Promise<void> {
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  const autoId = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) =>
    sqlite
      ? t.addColumn('id', 'integer', (c) => c.primaryKey())
      : t.addColumn('id', 'bigint', (c) => c.generatedByDefaultAsIdentity().primaryKey());
  const compact = <T extends string, C extends string>(t: CreateTableBuilder<T, C>) =>
    sqlite ? t.modifyEnd(sql`without rowid`) : t;
  const org = (c: any) => c.notNull().references('orgs.id').onDelete('cascade');
  const server = (c: any) => c.notNull().references('servers.id').onDelete('cascade');

  await db.schema
    .createTable('monitoring_settings')
    .addColumn('org_id', 'text', (c) => c.primaryKey().references('orgs.id').onDelete('cascade'))
    .addColumn('monitor_all', 'integer', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('recipients_sealed', 'text')
    .addColumn('recipient_count', 'integer', (c) => c.notNull())
    .addColumn('set_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('monitoring_targets')
    .addColumn('server_id', 'text', (c) => c.primaryKey().references('servers.id').onDelete('cascade'))
    .addColumn('org_id', 'text', org)
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('next_run_ms', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('lease_until_ms', 'bigint')
    .addColumn('set_by', 'text')
    .addColumn('counters', 'text')
    .addColumn('security', 'text')
    .addColumn('latest', 'text')
    .addColumn('integrity_at_ms', 'bigint')
    .addColumn('last_sample_at', 'text')
    .addColumn('last_ok_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('monitoring_targets_next')
    .on('monitoring_targets')
    .columns(['enabled', 'next_run_ms'])
    .execute();
  await db.schema.createIndex('monitoring_targets_org').on('monitoring_targets').column('org_id').execute();

  await db.schema
    .createTable('monitoring_chores')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_run_ms', 'bigint', (c) => c.notNull())
    .addColumn('owner', 'text')
    .execute();

  await autoId(db.schema.createTable('metric_series'))
    .addColumn('org_id', 'text', org)
    .addColumn('server_id', 'text', server)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('metric_series_server_name', ['server_id', 'name'])
    .execute();
  await db.schema.createIndex('metric_series_org').on('metric_series').column('org_id').execute();

  await compact(
    db.schema
      .createTable('metric_raw')
      .addColumn('series_id', 'bigint', (c) => c.notNull().references('metric_series.id').onDelete('cascade'))
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addColumn('value', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_raw_pk', ['series_id', 'ts']),
  ).execute();

  await compact(
    db.schema
      .createTable('metric_minute')
      .addColumn('series_id', 'bigint', (c) => c.notNull().references('metric_series.id').onDelete('cascade'))
      .addColumn('ts', 'bigint', (c) => c.notNull())
      .addColumn('sum', 'double precision', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('min', 'double precision', (c) => c.notNull())
      .addColumn('max', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('metric_minute_pk', ['series_id', 'ts']),
  ).execute();

  await db.schema
    .createTable('alert_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('metric', 'text')
    .addColumn('comparison', 'text')
    .addColumn('threshold', 'double precision')
    .addColumn('duration_seconds', 'integer', (c) => c.notNull())
    .addColumn('server_id', 'text', (c) => c.references('servers.id').onDelete('cascade'))
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('alert_rules_org').on('alert_rules').column('org_id').execute();
  await db.schema.createIndex('alert_rules_server').on('alert_rules').column('server_id').execute();

  await db.schema
    .createTable('alert_states')
    .addColumn('rule_id', 'text', (c) => c.notNull().references('alert_rules.id').onDelete('cascade'))
    .addColumn('server_id', 'text', server)
    .addColumn('org_id', 'text', org)
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('since_ms', 'bigint', (c) => c.notNull())
    .addColumn('value', 'double precision')
    .addColumn('subject', 'text')
    .addColumn('alert_id', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('alert_states_pk', ['rule_id', 'server_id'])
    .execute();
  await db.schema.createIndex('alert_states_server').on('alert_states').column('server_id').execute();
  await db.schema.createIndex('alert_states_org').on('alert_states').column('org_id').execute();

  await db.schema
    .createTable('log_cursors')
    .addColumn('server_id', 'text', server)
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', org)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('inode', 'text', (c) => c.notNull())
    .addColumn('offset', 'bigint', (c) => c.notNull())
    .addColumn('lines', 'bigint', (c) => c.notNull())
    .addColumn('last_event', 'text')
    .addColumn('last_read_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('log_cursors_pk', ['server_id', 'path'])
    .execute();
  await db.schema.createIndex('log_cursors_org').on('log_cursors').column('org_id').execute();

  await autoId(db.schema.createTable('log_lines'))
    .addColumn('org_id', 'text', org)
    .addColumn('server_id', 'text', server)
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('observed_at', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('log_lines_server').on('log_lines').columns(['server_id', 'id']).execute();
  await db.schema.createIndex('log_lines_org').on('log_lines').columns(['org_id', 'id']).execute();
  await db.schema.createIndex('log_lines_observed').on('log_lines').column('observed_at').execute();

  await db.schema
    .createTable('incidents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('grant_id', 'text')
    .addColumn('grant_note', 'text')
    .execute();
  await db.schema.createIndex('incidents_org_status').on('incidents').columns(['org_id', 'status']).execute();

  await db.schema
    .createTable('findings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', org)
    .addColumn('server_id', 'text', (c) => c.references('servers.id').onDelete('set null'))
    .addColumn('server_name', 'text', (c) => c.notNull())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id').onDelete('set null'))
    .addColumn('occurrences', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('findings_org').on('findings').columns(['org_id', 'last_seen_at']).execute();
  await db.schema.createIndex('findings_server').on('findings').column('server_id').execute();
  await db.schema.createIndex('findings_incident').on('findings').column('incident_id').execute();
  // One finding per server, rule and subject until it is closed: repeats add occurrences, across workers too.
  await db.schema
    .createIndex('findings_open_unique')
    .on('findings')
    .columns(['server_id', 'rule', 'key'])
    .unique()
    .where(sql.ref('status'), '<>', 'closed')
    .execute();

  await db.schema
    .createTable('login_sources')
    .addColumn('server_id', 'text', server)
    .addColumn('account', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('org_id', 'text', org)
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('login_sources_pk', ['server_id', 'account', 'address'])
    .execute();
  await db.schema.createIndex('login_sources_org').on('login_sources').column('org_id').execute();
}
