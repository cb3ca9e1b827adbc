/**
 * Table types shared by the stores. Conventions (the same on SQLite and PostgreSQL):
 * - ids are text with a type prefix; times are ISO-8601 UTC text (sortable); flags are integers 0/1;
 * - JSON is text; sealed values are text envelopes (crypto/envelope.ts) in columns ending in `_sealed`;
 * - blind indexes end in `_bidx`; secrets named elsewhere are keyed hashes.
 */

import type { PrivacyTables } from './schema-privacy.js';
export type * from './schema-privacy.js';
import type { ClusterTables } from './schema-cluster.js';
export type * from './schema-cluster.js';
import type { MonitoringTables } from './schema-monitoring.js';
export type * from './schema-monitoring.js';
import type { BillingTables } from './schema-billing.js';
export type * from './schema-billing.js';
import type { BackupTables } from './schema-backups.js';
export type * from './schema-backups.js';

export interface VaultRootKeysTable {
  version: number;
  kcv: string;
  state: 'active' | 'pending' | 'retired';
  created_at: string;
}

export interface VaultDataKeysTable {
  scope: string;
  version: number;
  wrapped: string;
  root_version: number;
  state: 'active' | 'decrypt_only' | 'retired' | 'destroyed';
  ops_reserved: number;
  created_at: string;
}

export interface VaultRotationsTable {
  id: string;
  kind: 'root' | 'data';
  scope: string | null;
  from_version: number;
  to_version: number;
  status: 'running' | 'done';
  started_at: string;
  finished_at: string | null;
}

export interface UsersTable {
  id: string;
  kind: 'customer' | 'staff';
  email_bidx: string;
  email_sealed: string;
  name_sealed: string;
  phone_sealed: string | null;
  password_hash: string;
  totp_sealed: string | null;
  totp_enabled: number;
  totp_last_step: number | null;
  staff_roles: string;
  status: 'active' | 'disabled';
  created_at: string;
  updated_at: string;
}

export interface OrgsTable {
  id: string;
  name: string;
  /** `deleting`: an owner asked for deletion; the organisation is invisible while its servers are released. */
  status: 'active' | 'deleting' | 'deleted';
  created_at: string;
}

export interface MembershipsTable {
  id: string;
  org_id: string;
  user_id: string;
  role: 'owner' | 'member';
  created_at: string;
}

export interface InvitationsTable {
  id: string;
  org_id: string;
  email_bidx: string;
  email_sealed: string;
  role: 'owner' | 'member';
  token_hash: string;
  invited_by: string;
  expires_at: string;
  accepted_at: string | null;
  created_at: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface SigninAttemptsTable {
  id: string;
  subject: string;
  at: string;
}

/** A sign-up waiting for its address to be confirmed (migration 0012). */
export interface SignupRequestsTable {
  id: string;
  /** The account's id once confirmed; the personal fields are sealed under it as scope already. */
  user_id: string;
  email_bidx: string;
  /** Sealed JSON: e-mail, name, phone, organisation name. */
  details_sealed: string;
  password_hash: string;
  token_hash: string;
  expires_at: string;
  created_at: string;
}

/** One sign-up counted against a client address or an e-mail domain (both hashed). */
export interface SignupAttemptsTable {
  id: string;
  subject: string;
  at: string;
}

export interface CredentialsTable {
  id: string;
  org_id: string;
  kind: string;
  name: string;
  hint: string;
  value_sealed: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface AuditLogTable {
  seq: number;
  id: string;
  at: string;
  org_id: string | null;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  result: 'ok' | 'denied' | 'failed';
  request_id: string | null;
  ip: string | null;
  details: string;
  /** The row's own HMAC, written with it (covers everything but the positions), checked before sealing. */
  row_mac: string | null;
  /** Position in the hash chain, given by the sealer; null until sealed. Legacy rows: equal to `seq`. */
  chain_seq: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** Signed statements of the sealed chain's head (also appended to a file the database cannot rewrite). */
export interface AuditCheckpointsTable {
  chain_seq: number;
  hash: string;
  at: string;
  signature: string;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  hash: string;
}

export interface JobsTable {
  id: string;
  queue: string;
  payload: string;
  org_id: string | null;
  status: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  run_at: string;
  locked_until: string | null;
  locked_by: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface OrgSshKeysTable {
  org_id: string;
  public_key: string;
  fingerprint: string;
  private_sealed: string;
  created_at: string;
}

export type ServerStatus =
  'enrolling' | 'ready' | 'blocked' | 'unreachable' | 'enrol_failed' | 'removing' | 'remove_failed';

export interface ServersTable {
  id: string;
  org_id: string;
  name: string;
  address: string;
  port: number;
  username: string;
  status: ServerStatus;
  status_reason: string | null;
  host_key: string | null;
  host_key_fingerprint: string | null;
  host_key_source: 'first_contact' | 'provided' | 'provider' | 'provider_console' | null;
  host_key_pinned_at: string | null;
  presented_fingerprint: string | null;
  login: 'org_key' | 'bootstrap';
  bootstrap_kind: 'password' | 'key' | null;
  bootstrap_sealed: string | null;
  provider_account_id: string | null;
  provider_node_id: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
  last_contact_at: string | null;
}

export interface CredentialUsesTable {
  id: string;
  org_id: string;
  at: string;
  credential: string;
  credential_id: string | null;
  target_type: string;
  target_id: string;
  operation: string;
  instruction_type: 'user_action' | 'schedule' | 'staff_grant' | 'system';
  instruction_id: string | null;
  actor_id: string | null;
  outcome: 'ok' | 'failed' | 'blocked';
}

export interface AlertsTable {
  id: string;
  org_id: string;
  server_id: string | null;
  kind: string;
  severity: 'info' | 'warning' | 'critical';
  title: string;
  details: string;
  created_at: string;
  resolved_at: string | null;
}

export interface TaskRunsTable {
  id: string;
  org_id: string;
  kind: 'recipe' | 'command' | 'discovery';
  recipe: string | null;
  params: string;
  command: string | null;
  status: 'running' | 'succeeded' | 'failed' | 'partial';
  requested_by: string | null;
  instruction_type: string;
  instruction_id: string | null;
  total: number;
  created_at: string;
  finished_at: string | null;
}

export type HostRunStatus = 'queued' | 'running' | 'unchanged' | 'changed' | 'succeeded' | 'failed';

export interface TaskRunHostsTable {
  id: string;
  run_id: string;
  org_id: string;
  server_id: string;
  status: HostRunStatus;
  steps: string;
  exit_code: number | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
  // Cluster (migration 0010)
  /** The job attempt holding this host (`<worker>#<attempt>`); writes are fenced on it. */
  claimed_by: string | null;
  /** The step being applied when the holder last wrote: a resumed run must not apply it blindly again. */
  applying: string | null;
  job_id: string | null;
}

export interface TaskOutputTable {
  run_id: string;
  seq: number;
  server_id: string;
  stream: 'stdout' | 'stderr' | 'log';
  data: string;
  at: string;
}

export interface ServerSecretsTable {
  id: string;
  org_id: string;
  server_id: string;
  name: string;
  source: 'task' | 'discovery';
  value_sealed: string;
  created_at: string;
  updated_at: string;
}

// Provisioning (provider accounts, instances, launches)
export interface ProviderAccountsTable {
  id: string;
  org_id: string;
  provider: 'ec2' | 'elastichosts';
  name: string;
  /** EC2 region or ElasticHosts zone id. */
  region: string;
  endpoint: string | null;
  auth: 'access_key' | 'assume_role' | 'basic';
  /** JSON: provider settings that are not secret (role ARN, dialect, user UUID). */
  settings: string;
  credential_sealed: string | null;
  hint: string;
  external_account: string;
  principal: string;
  last_sync_at: string | null;
  last_sync_error: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ProviderInstancesTable {
  account_id: string;
  node_id: string;
  org_id: string;
  name: string;
  state: 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated' | 'unknown';
  provider_state: string | null;
  public_ip: string | null;
  private_ip: string | null;
  size_id: string | null;
  image_id: string | null;
  location_id: string | null;
  first_seen_at: string;
  last_seen_at: string;
  gone_at: string | null;
}

export type LaunchStatus = 'queued' | 'creating' | 'waiting' | 'adopted' | 'failed';

export interface ProviderLaunchesTable {
  account_id: string;
  token: string;
  org_id: string;
  name: string;
  size_id: string;
  image_id: string;
  location_id: string | null;
  ssh_user: string;
  status: LaunchStatus;
  node_id: string | null;
  address: string | null;
  server_id: string | null;
  job_id: string;
  error_code: string | null;
  error_message: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface ProvisioningScheduleTable {
  name: string;
  job_id: string;
  updated_at: string;
}

export interface DiscoverySnapshotsTable {
  id: string;
  org_id: string;
  server_id: string;
  run_id: string | null;
  taken_at: string;
  facts: string;
  changes: string;
  summary: string;
  attention: number;
  /** JSON: section name to the fingerprint of its inputs (digits only); null before incremental discovery. */
  fingerprints: string | null;
}

export interface DiscoveredSecretsTable {
  id: string;
  org_id: string;
  server_id: string;
  location: string;
  key: string;
  kind: string;
  context: string;
  value_sealed: string;
  value_hash: string;
  first_seen_at: string;
  last_seen_at: string;
  gone_at: string | null;
}

export interface DiscoverySchedulesTable {
  server_id: string;
  org_id: string;
  interval_minutes: number;
  next_run_at: string;
  set_by: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  org_id: string | null;
  scope: string;
  to_bidx: string;
  category: 'transactional' | 'promotional';
  template: string;
  message_sealed: string;
  status: 'queued' | 'held' | 'sent' | 'failed' | 'suppressed';
  attempts: number;
  last_error: string | null;
  dedupe_key: string | null;
  created_at: string;
  sent_at: string | null;
}

// Access (staff grants, support, terminal sessions, staff SSH CA)
export interface AccessGrantsTable {
  id: string;
  org_id: string;
  reason: 'initial_setup' | 'support_request' | 'suspicious_activity';
  justification: string;
  support_request_id: string | null;
  incident_id: string | null;
  /** JSON arrays of ids and action words. */
  server_ids: string;
  account_ids: string;
  actions: string;
  state: 'requested' | 'approved' | 'active' | 'expired' | 'revoked' | 'denied';
  staff_id: string | null;
  requested_by_type: 'user' | 'staff' | 'system';
  requested_by: string | null;
  /** Who must still approve: nobody, a second staff member, or the customer. */
  approval: 'none' | 'second_staff' | 'customer';
  approved_by: string | null;
  duration_minutes: number;
  starts_at: string | null;
  ends_at: string | null;
  request_expires_at: string;
  ended_at: string | null;
  ended_by: string | null;
  end_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccessPoliciesTable {
  org_id: string;
  suspicious_approval: 'second_staff' | 'customer';
  updated_by: string;
  updated_at: string;
}

export interface SupportRequestsTable {
  id: string;
  org_id: string;
  /** `appeal`: a member appeals a suspension; no servers and no grant, answered by security or admin staff. */
  kind: 'support' | 'initial_setup' | 'appeal';
  subject: string;
  status: 'open' | 'closed';
  opened_by: string;
  staff_id: string | null;
  server_ids: string;
  duration_minutes: number;
  grant_id: string | null;
  created_at: string;
  closed_at: string | null;
  closed_by: string | null;
}

export interface SupportMessagesTable {
  id: string;
  request_id: string;
  org_id: string;
  author_id: string;
  author_kind: 'customer' | 'staff';
  body_sealed: string;
  created_at: string;
}

export interface TerminalSessionsTable {
  id: string;
  org_id: string;
  server_id: string;
  user_id: string;
  user_kind: 'customer' | 'staff';
  grant_id: string | null;
  term: string;
  cols: number;
  rows: number;
  status: 'live' | 'ended' | 'incomplete';
  end_reason: string | null;
  /** The process holding the live session: `<hostname>#<pid>`. */
  owner: string;
  started_at: string;
  heartbeat_at: string;
  ended_at: string | null;
  chunks: number;
  bytes: number;
}

export interface TerminalChunksTable {
  /** `<session id>:<seq>`: the sealed value's row id. */
  id: string;
  session_id: string;
  org_id: string;
  seq: number;
  data_sealed: string;
  at: string;
}

export interface OrgCaKeysTable {
  org_id: string;
  public_key: string;
  fingerprint: string;
  private_sealed: string;
  created_at: string;
}

export interface AccessCertificatesTable {
  id: string;
  org_id: string;
  grant_id: string;
  server_id: string;
  staff_id: string;
  serial: string;
  principal: string;
  key_fingerprint: string;
  valid_after: string;
  valid_before: string;
  created_at: string;
}

// privacy tables come in through `extends` (schema-privacy.ts)
export interface Database extends PrivacyTables, ClusterTables, MonitoringTables, BillingTables, BackupTables {
  vault_root_keys: VaultRootKeysTable;
  vault_data_keys: VaultDataKeysTable;
  vault_rotations: VaultRotationsTable;
  users: UsersTable;
  orgs: OrgsTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  signin_attempts: SigninAttemptsTable;
  signup_requests: SignupRequestsTable;
  signup_attempts: SignupAttemptsTable;
  credentials: CredentialsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointsTable;
  jobs: JobsTable;
  org_ssh_keys: OrgSshKeysTable;
  servers: ServersTable;
  credential_uses: CredentialUsesTable;
  alerts: AlertsTable;
  task_runs: TaskRunsTable;
  task_run_hosts: TaskRunHostsTable;
  task_output: TaskOutputTable;
  server_secrets: ServerSecretsTable;
  discovery_snapshots: DiscoverySnapshotsTable;
  discovered_secrets: DiscoveredSecretsTable;
  discovery_schedules: DiscoverySchedulesTable;
  outbox: OutboxTable;
  // provisioning
  provider_accounts: ProviderAccountsTable;
  provider_instances: ProviderInstancesTable;
  provider_launches: ProviderLaunchesTable;
  provisioning_schedule: ProvisioningScheduleTable;
  access_grants: AccessGrantsTable;
  access_policies: AccessPoliciesTable;
  support_requests: SupportRequestsTable;
  support_messages: SupportMessagesTable;
  terminal_sessions: TerminalSessionsTable;
  terminal_chunks: TerminalChunksTable;
  org_ca_keys: OrgCaKeysTable;
  access_certificates: AccessCertificatesTable;
}
