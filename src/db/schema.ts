/**
 * Table types shared by the stores. Conventions (the same on SQLite and PostgreSQL):
 * - ids are text with a type prefix; times are ISO-8601 UTC text (sortable); flags are integers 0/1;
 * - JSON is text; sealed values are text envelopes (crypto/envelope.ts) in columns ending in `_sealed`;
 * - blind indexes end in `_bidx`; secrets named elsewhere are keyed hashes.
 */

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
  status: 'active' | 'deleted';
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
  prev_hash: string;
  hash: string;
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

export type ServerStatus = 'enrolling' | 'ready' | 'blocked' | 'unreachable' | 'enrol_failed' | 'removing' | 'remove_failed';

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
  host_key_source: 'first_contact' | 'provided' | 'provider' | null;
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

export interface Database {
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
  credentials: CredentialsTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  jobs: JobsTable;
  org_ssh_keys: OrgSshKeysTable;
  servers: ServersTable;
  credential_uses: CredentialUsesTable;
  alerts: AlertsTable;
}
