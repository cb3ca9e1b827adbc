import type { components, paths } from './schema';

/** Names for the API's shapes, taken from the generated schema so they follow the API. */
type Schemas = components['schemas'];
type JsonOf<P extends keyof paths, M extends 'get' | 'post' | 'put', S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
}
  ? T
  : never;

/** The JSON request body of a path's method (what the console sends), from the same schema. */
export type BodyOf<P extends keyof paths, M extends 'post' | 'put' | 'patch'> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer T } };
}
  ? T
  : never;

export type Profile = Schemas['Profile'];
export type Org = Schemas['Org'];
export type Credential = Schemas['Credential'];
export type CredentialKind = Credential['kind'];
export type Job = Schemas['Job'];
export type JobStatus = Job['status'];
export type AuditEntry = Schemas['AuditEntry'];
export type Session = JsonOf<'/api/auth/session', 'get', 200>;
export type TermsVersion = NonNullable<JsonOf<'/api/terms', 'get', 200>['terms']>;
export type OrgRole = Org['role'];
export type Member = JsonOf<'/api/orgs/{orgId}/members', 'get', 200>['members'][number];
export type Invitation = JsonOf<'/api/orgs/{orgId}/invitations', 'get', 200>['invitations'][number];
export type ApiToken = JsonOf<'/api/me/tokens', 'get', 200>['tokens'][number];
export type SignUpBody = BodyOf<'/api/auth/signup', 'post'>;
export type SignInBody = BodyOf<'/api/auth/signin', 'post'>;
export type ProfileChange = BodyOf<'/api/me', 'patch'>;
export type PasswordChange = BodyOf<'/api/me/password', 'post'>;
export type NewApiToken = BodyOf<'/api/me/tokens', 'post'>;
export type NewCredential = BodyOf<'/api/orgs/{orgId}/credentials', 'post'>;
export type NewInvitation = BodyOf<'/api/orgs/{orgId}/invitations', 'post'>;

// Servers, the credential-use ledger and alerts.
export type Server = Schemas['Server'];
export type ServerStatus = Server['status'];
export type CredentialUse = Schemas['CredentialUse'];
export type Alert = Schemas['Alert'];
export type NewServer = BodyOf<'/api/orgs/{orgId}/servers', 'post'>;
export type NewAlertRule = BodyOf<'/api/orgs/{orgId}/alert-rules', 'post'>;
export type AlertRuleChange = BodyOf<'/api/orgs/{orgId}/alert-rules/{ruleId}', 'patch'>;
export type MonitoringSettingsBody = BodyOf<'/api/orgs/{orgId}/monitoring/settings', 'put'>;

// Provider accounts, instances and launches.
export type ProviderAccount = Schemas['ProviderAccount'];
export type ProviderKind = ProviderAccount['provider'];
export type NewProviderAccount = BodyOf<'/api/orgs/{orgId}/provider-accounts', 'post'>;
export type Instance = Schemas['Instance'];
export type InstanceState = Instance['state'];
export type AccountListing = JsonOf<'/api/orgs/{orgId}/instances', 'get', 200>['accounts'][number];
export type Launch = Schemas['Launch'];
export type LaunchStage = Launch['stage'];
export type Catalog = JsonOf<'/api/orgs/{orgId}/provider-accounts/{accountId}/catalog', 'get', 200>;
export type InstanceImport = BodyOf<
  '/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/import',
  'post'
>;

// Tasks, discovery and backups.
export type TaskRun = Schemas['TaskRun'];
export type HostRun = TaskRun['hosts'][number];
export type Recipe = JsonOf<'/api/recipes', 'get', 200>['recipes'][number];
export type OutputEntry = JsonOf<'/api/orgs/{orgId}/task-runs/{runId}/output', 'get', 200>['entries'][number];
export type ServerFacts = Schemas['ServerFacts'];
export type Snapshot = JsonOf<'/api/orgs/{orgId}/servers/{serverId}/snapshots', 'get', 200>['snapshots'][number];
export type Change = Snapshot['changes'][number];
export type FoundSecret = JsonOf<'/api/orgs/{orgId}/servers/{serverId}/found-secrets', 'get', 200>['secrets'][number];
export type DiscoverySchedule = NonNullable<
  JsonOf<'/api/orgs/{orgId}/servers/{serverId}/discovery-schedule', 'get', 200>['schedule']
>;
export type NewCommand = BodyOf<'/api/orgs/{orgId}/commands', 'post'>;
export type NewTaskRun = BodyOf<'/api/orgs/{orgId}/task-runs', 'post'>;
export type NewBackupPlan = BodyOf<'/api/orgs/{orgId}/backups/plans', 'post'>;
export type NewRestore = BodyOf<'/api/orgs/{orgId}/backups/restores', 'post'>;

// Operators.
export type OutboxMail = JsonOf<'/api/staff/outbox', 'get', 200>['mails'][number];
export type StaffAuditQuery = paths['/api/staff/audit']['get']['parameters']['query'];
export type NewPolicy = BodyOf<'/api/staff/policies', 'post'>;
export type NewTerms = BodyOf<'/api/staff/terms', 'post'>;
export type NewUndertaking = BodyOf<'/api/staff/undertakings', 'post'>;
export type NewDisclosure = BodyOf<'/api/staff/disclosures', 'post'>;

// Staff access: grants, support requests, the timeline and terminal recordings.
export type Grant = Schemas['Grant'];
export type GrantState = Grant['state'];
export type GrantAction = Grant['scope']['actions'][number];
export type SupportRequest = Schemas['SupportRequest'];
export type SupportMessage = NonNullable<SupportRequest['messages']>[number];
export type TimelineEntry = Schemas['TimelineEntry'];
export type TerminalSession = Schemas['TerminalSession'];
export type NewSupportRequest = BodyOf<'/api/orgs/{orgId}/support-requests', 'post'>;
export type GrantChange = BodyOf<'/api/orgs/{orgId}/grants/{grantId}', 'patch'>;
export type SuspiciousApproval = BodyOf<'/api/orgs/{orgId}/access-policy', 'put'>['suspiciousApproval'];
export type NewCertificate = BodyOf<'/api/staff/grants/{grantId}/certificates', 'post'>;
export type StaffInstanceAction = BodyOf<
  '/api/staff/grants/{grantId}/provider-accounts/{accountId}/instances/{instanceId}/actions',
  'post'
>['action'];

// The privacy centre.
export type Consent = Schemas['Consent'];
export type ConsentPurpose = Consent['purpose'];
export type ConsentRecord = Schemas['ConsentRecord'];
export type PolicyVersion = Schemas['PolicyVersion'];
export type OrgDeletion = Schemas['OrgDeletion'];
export type ConsentChoice = BodyOf<'/api/me/consents', 'post'>;
