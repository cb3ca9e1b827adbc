/**
 * Table types for backups (migration 0013), kept beside schema.ts so the shared file only lists them. Same
 * conventions: text ids with a prefix, ISO times, JSON as text, sealed values in `_sealed` columns.
 */

/** The organisation's restic repository password (one per organisation, opening every repository it has). */
export interface BackupKeysTable {
  org_id: string;
  password_sealed: string;
  created_at: string;
  /** When an owner last took a copy (the customer's own way into the repositories). */
  exported_at: string | null;
}

/** Where restore points are kept: a folder on the Steward host, an SFTP host or an S3-compatible bucket. */
export interface BackupRepositoriesTable {
  id: string;
  org_id: string;
  name: string;
  kind: 'local' | 'sftp' | 's3';
  /** JSON, no secrets: the folder; host, port, user, path and pinned host key; endpoint, bucket, prefix, region. */
  location: string;
  /** SFTP: the private key Steward logs in with; S3: the secret access key. Null for a folder. */
  credential_sealed: string | null;
  /** SFTP: the public key the customer authorises on the backup host. */
  public_key: string | null;
  is_default: number;
  initialised_at: string | null;
  last_check_at: string | null;
  /** `ok`, `failed` or null before the first check. */
  last_check_status: string | null;
  last_check_error: string | null;
  /** Deduplicated bytes stored, as restic counts them (refreshed after backups and checks). */
  stored_bytes: number;
  created_by: string | null;
  created_at: string;
}

/** What to back up on one server, when, where, and how long to keep it. */
export interface BackupPlansTable {
  id: string;
  org_id: string;
  server_id: string;
  repository_id: string;
  name: string;
  kind: 'mysql' | 'postgresql' | 'files';
  /** Database name (mysql, postgresql). */
  database: string | null;
  /** JSON list of absolute paths (files). */
  paths: string;
  /** JSON list of exclude patterns (files). */
  excludes: string;
  /** How Steward authenticates to the database: the login's own access, a found credential, or one given. */
  db_auth: 'login' | 'found' | 'given' | null;
  db_user: string | null;
  /** The discovered credential used (`found`). */
  db_secret_id: string | null;
  /** The password given by the customer (`given`). */
  db_password_sealed: string | null;
  interval_minutes: number;
  next_run_at: string;
  /** JSON: { last, daily, weekly, monthly }. */
  keep: string;
  enabled: number;
  /** Who set the standing instruction; scheduled runs are ledgered against the plan with this actor. */
  set_by: string | null;
  last_ok_at: string | null;
  last_failed_at: string | null;
  created_at: string;
  updated_at: string;
}

/** One backup, restore or check, with its progress and outcome. */
export interface BackupRunsTable {
  id: string;
  org_id: string;
  kind: 'backup' | 'restore' | 'check';
  plan_id: string | null;
  repository_id: string;
  /** The server read (backup) or written (restore). */
  server_id: string | null;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  dry_run: number;
  /** JSON: what a restore was asked to do (snapshot, database, paths, target). */
  request: string;
  instruction_type: string;
  instruction_id: string | null;
  actor_id: string | null;
  snapshot_id: string | null;
  bytes_read: number;
  bytes_added: number;
  duration_ms: number | null;
  /** JSON: the latest progress figures. */
  progress: string | null;
  /** JSON: a dry run's list of changes, or a check's findings. */
  result: string | null;
  error_code: string | null;
  error_message: string | null;
  attempt: number;
  queued_at: string;
  started_at: string | null;
  finished_at: string | null;
}

/** Restore points as restic reported them (the repository stays the truth; this is what the console lists). */
export interface BackupSnapshotsTable {
  id: string;
  org_id: string;
  repository_id: string;
  plan_id: string;
  server_id: string;
  taken_at: string;
  /** Bytes read from the server for this restore point. */
  size_bytes: number;
  /** New bytes it added to the repository after deduplication. */
  added_bytes: number;
  duration_ms: number;
  /** The file name inside the snapshot: `<database>.sql` or `files.tar`. */
  entry: string;
  forgotten_at: string | null;
}

export interface BackupTables {
  backup_keys: BackupKeysTable;
  backup_repositories: BackupRepositoriesTable;
  backup_plans: BackupPlansTable;
  backup_runs: BackupRunsTable;
  backup_snapshots: BackupSnapshotsTable;
}
