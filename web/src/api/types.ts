import type { components, paths } from './schema';

/** Names for the API's shapes, taken from the generated schema so they follow the API. */
type Schemas = components['schemas'];
type JsonOf<P extends keyof paths, M extends 'get' | 'post', S extends number> = paths[P][M] extends {
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
export type OrgRole = Org['role'];
export type Member = JsonOf<'/api/orgs/{orgId}/members', 'get', 200>['members'][number];
export type Invitation = JsonOf<'/api/orgs/{orgId}/invitations', 'get', 200>['invitations'][number];
export type ApiToken = JsonOf<'/api/me/tokens', 'get', 200>['tokens'][number];
