import type { components, paths } from './schema';

/** Names for the API's shapes, taken from the generated schema so they follow the API. */
type Schemas = components['schemas'];
type JsonOf<P extends keyof paths, M extends 'get' | 'post' | 'put', S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer T } } };
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

// Servers, the credential-use ledger and alerts.
export type Server = Schemas['Server'];
export type ServerStatus = Server['status'];
export type CredentialUse = Schemas['CredentialUse'];
export type Alert = Schemas['Alert'];

// Provider accounts, instances and launches.
export type ProviderAccount = Schemas['ProviderAccount'];
export type ProviderKind = ProviderAccount['provider'];
export type NewProviderAccount = NonNullable<
  paths['/api/orgs/{orgId}/provider-accounts']['post']['requestBody']
>['content']['application/json'];
export type Instance = Schemas['Instance'];
export type InstanceState = Instance['state'];
export type AccountListing = JsonOf<'/api/orgs/{orgId}/instances', 'get', 200>['accounts'][number];
export type Launch = Schemas['Launch'];
export type LaunchStage = Launch['stage'];
export type Catalog = JsonOf<'/api/orgs/{orgId}/provider-accounts/{accountId}/catalog', 'get', 200>;

// Tasks and discovery.
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

// Operators.
export type OutboxMail = JsonOf<'/api/staff/outbox', 'get', 200>['mails'][number];

// Staff access: grants, support requests, the timeline and terminal recordings.
export type Grant = Schemas['Grant'];
export type GrantState = Grant['state'];
export type GrantAction = Grant['scope']['actions'][number];
export type SupportRequest = Schemas['SupportRequest'];
export type SupportMessage = NonNullable<SupportRequest['messages']>[number];
export type TimelineEntry = Schemas['TimelineEntry'];
export type TerminalSession = Schemas['TerminalSession'];

// The privacy centre.
export type Consent = Schemas['Consent'];
export type ConsentPurpose = Consent['purpose'];
export type ConsentRecord = Schemas['ConsentRecord'];
export type PolicyVersion = Schemas['PolicyVersion'];
export type OrgDeletion = Schemas['OrgDeletion'];
