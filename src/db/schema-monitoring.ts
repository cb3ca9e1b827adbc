/**
 * Table types for monitoring, operational logs and detection (migration 0008), kept beside schema.ts so the
 * shared file only lists them. Metric points and log lines differ from the usual conventions on purpose:
 * integer ids and epoch seconds or milliseconds (`_ms`), because there are millions of them.
 */
import type { Generated } from 'kysely';

/** An organisation's monitoring settings: monitor every server or not, and who gets alert e-mail. */
export interface MonitoringSettingsTable {
  org_id: string;
  monitor_all: number;
  interval_seconds: number;
  /** Sealed JSON list of e-mail addresses (personal data); scope = the organisation. */
  recipients_sealed: string | null;
  recipient_count: number;
  set_by: string | null;
  updated_at: string;
}

/** One monitored server: its sampling schedule, the claim on it, and what the last samples left behind. */
export interface MonitoringTargetsTable {
  server_id: string;
  org_id: string;
  enabled: number;
  interval_seconds: number;
  next_run_ms: number;
  /** The worker holding the server's kept login; others take it over only after `lease_until_ms`. */
  owner: string | null;
  lease_until_ms: number | null;
  /** Who set the standing instruction (the ledger's actor for every monitoring login). */
  set_by: string | null;
  /** JSON: counters for rates (derive.ts). */
  counters: string | null;
  /** JSON: the security baseline detection compares each sample with. */
  security: string | null;
  /** JSON: the latest figures and top processes, for the console. */
  latest: string | null;
  integrity_at_ms: number | null;
  last_sample_at: string | null;
  last_ok_at: string | null;
  last_error: string | null;
  failures: number;
  /** Intervals that began, samples taken, samples that ended after their interval, intervals with no sample. */
  samples_due: number;
  samples_taken: number;
  samples_late: number;
  samples_missed: number;
  created_at: string;
  updated_at: string;
}

/** Background chores run once per interval across workers (roll-up retention). */
export interface MetricSeriesTable {
  id: Generated<number>;
  org_id: string;
  server_id: string;
  /** `cpu.busy_pct`, `disk.used_pct:/var`, `net.rx_bps:eth0` … */
  name: string;
  created_at: string;
}

export interface MetricRawTable {
  series_id: number;
  /** Epoch seconds. */
  ts: number;
  value: number;
}

/** One minute of a series: sum and count (so any window's average is exact), min and max. */
export interface MetricMinuteTable {
  series_id: number;
  /** Epoch seconds of the minute's start. */
  ts: number;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface AlertRulesTable {
  id: string;
  org_id: string;
  name: string;
  kind: 'threshold' | 'unreachable';
  metric: string | null;
  comparison: 'above' | 'below' | null;
  threshold: number | null;
  duration_seconds: number;
  /** Null: every monitored server of the organisation. */
  server_id: string | null;
  severity: 'info' | 'warning' | 'critical';
  enabled: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** Where a rule stands on one server: breached since `since_ms` (pending), or firing with an open alert. */
export interface AlertStatesTable {
  rule_id: string;
  server_id: string;
  org_id: string;
  state: 'pending' | 'firing';
  since_ms: number;
  value: number | null;
  subject: string | null;
  alert_id: string | null;
  updated_at: string;
}

export interface LogCursorsTable {
  server_id: string;
  path: string;
  org_id: string;
  source: 'auth' | 'system' | 'web' | 'other';
  inode: string;
  offset: number;
  lines: number;
  last_event: string | null;
  last_read_at: string | null;
  created_at: string;
}

export interface LogLinesTable {
  id: Generated<number>;
  org_id: string;
  server_id: string;
  source: LogCursorsTable['source'];
  path: string;
  observed_at: string;
  line: string;
}

export interface IncidentsTable {
  id: string;
  org_id: string;
  title: string;
  severity: 'info' | 'warning' | 'critical';
  status: 'open' | 'acknowledged' | 'closed';
  opened_at: string;
  updated_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  closed_by: string | null;
  closed_at: string | null;
  /** The suspicious-activity grant this incident opened for the security team, when one was. */
  grant_id: string | null;
  grant_note: string | null;
}

export interface FindingsTable {
  id: string;
  org_id: string;
  server_id: string | null;
  server_name: string;
  rule: string;
  /** What the finding is about within its rule (an address, an account, a port), for de-duplication. */
  key: string;
  severity: IncidentsTable['severity'];
  title: string;
  /** JSON. */
  evidence: string;
  status: 'open' | 'acknowledged' | 'closed';
  incident_id: string | null;
  occurrences: number;
  first_seen_at: string;
  last_seen_at: string;
  acknowledged_by: string | null;
  acknowledged_at: string | null;
  closed_by: string | null;
  closed_at: string | null;
}

/** Addresses each account has logged in from, so a login from a new one stands out. */
export interface LoginSourcesTable {
  server_id: string;
  account: string;
  address: string;
  org_id: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface MonitoringTables {
  monitoring_settings: MonitoringSettingsTable;
  monitoring_targets: MonitoringTargetsTable;
  metric_series: MetricSeriesTable;
  metric_raw: MetricRawTable;
  metric_minute: MetricMinuteTable;
  alert_rules: AlertRulesTable;
  alert_states: AlertStatesTable;
  log_cursors: LogCursorsTable;
  log_lines: LogLinesTable;
  incidents: IncidentsTable;
  findings: FindingsTable;
  login_sources: LoginSourcesTable;
}
