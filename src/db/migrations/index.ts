import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_servers.js';
import * as m0003 from './0003_provisioning.js';
import * as m0004 from './0004_tasks.js';
import * as m0005 from './0005_discovery.js';
import * as m0006 from './0006_notify.js';
// Access (staff grants)
import * as m0007 from './0007_access.js';
import * as m0008 from './0008_monitoring.js';
import * as m0009 from './0009_privacy.js';
import * as m0010 from './0010_cluster.js';
import * as m0011 from './0011_drop_monitoring_chores.js';
import * as m0012 from './0012_signup_confirmation.js';
import * as m0013 from './0013_backups.js';
import * as m0014 from './0014_billing.js';
import * as m0015 from './0015_trust.js';
import * as m0016 from './0016_discovery_fingerprints.js';
import * as m0017 from './0017_audit_sealer.js';
import * as m0018 from './0018_monitoring_schedule.js';
import * as m0019 from './0019_plan_monitoring_price.js';
import * as m0020 from './0020_task_hosts_by_run_status.js';

/**
 * Every migration, in order. Listed statically (not read from a folder) so the compiled build and the test
 * run see exactly the same set. Names never change once released.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_servers': m0002,
  '0003_provisioning': m0003,
  '0004_tasks': m0004,
  '0005_discovery': m0005,
  '0006_notify': m0006,
  '0007_access': m0007, // access (staff grants)
  '0008_monitoring': m0008, // monitoring, logs and detection
  '0009_privacy': m0009, // privacy centre
  '0010_cluster': m0010, // many nodes (step records, job slots, cluster schedules)
  '0011_drop_monitoring_chores': m0011, // an unused table
  '0012_signup_confirmation': m0012, // sign-up waits for the address to be confirmed
  '0013_backups': m0013, // backups and restore
  '0014_billing': m0014, // plans, usage, invoices, payments
  '0015_trust': m0015, // terms, staff undertaking, review queue, suspensions, recommendations
  '0016_discovery_fingerprints': m0016, // incremental discovery
  '0017_audit_sealer': m0017, // the audit log without a global lock, signed checkpoints
  '0018_monitoring_schedule': m0018, // samples due, taken, late and missed per server
  '0019_plan_monitoring_price': m0019, // plans price monitored server-hours
  '0020_task_hosts_by_run_status': m0020, // whether a run has a host left, without reading every host
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
