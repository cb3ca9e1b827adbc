/** Domain types of staff access: grants, their scope and state, and what a staff action names. */

export const GRANT_REASONS = ['initial_setup', 'support_request', 'suspicious_activity'] as const;
export type GrantReason = (typeof GRANT_REASONS)[number];

/** What a grant lets its staff member do. */
export const GRANT_ACTIONS = [
  'terminal',
  'tasks',
  'read_facts_logs',
  'reveal_secrets',
  'provider_actions',
  'restore_backups',
] as const;
export type GrantAction = (typeof GRANT_ACTIONS)[number];

export const GRANT_STATES = ['requested', 'approved', 'active', 'expired', 'revoked', 'denied'] as const;
export type GrantState = (typeof GRANT_STATES)[number];

/** States a grant never leaves. */
export const FINAL_STATES: readonly GrantState[] = ['expired', 'revoked', 'denied'];

/** What a staff member wants to act on: a server, a provider account, or the organisation's stored secrets. */
export type AccessResource =
  | { readonly kind: 'server'; readonly orgId: string; readonly serverId: string; readonly grantId?: string }
  | { readonly kind: 'provider_account'; readonly orgId: string; readonly accountId: string; readonly grantId?: string }
  | { readonly kind: 'org'; readonly orgId: string; readonly grantId?: string };

/** Why `requireActiveGrant` refused; recorded in the `access.denied` audit event. */
export type DenialReason =
  | 'not_staff'
  | 'no_grant'
  | 'pending'
  | 'expired'
  | 'revoked'
  | 'denied'
  | 'other_org'
  | 'other_staff'
  | 'other_server'
  | 'other_account'
  | 'action_not_granted'
  /** The staff member has not accepted the current confidentiality undertaking: no role of theirs is active. */
  | 'undertaking_not_accepted';

export interface GrantScope {
  readonly serverIds: string[];
  readonly accountIds: string[];
  readonly actions: GrantAction[];
}

/** A grant as the API shows it (to the customer and to its staff member). */
export interface GrantView {
  readonly id: string;
  readonly orgId: string;
  /** The organisation's name, so staff lists say whose grant it is. */
  readonly orgName: string;
  readonly reason: GrantReason;
  readonly justification: string;
  readonly supportRequestId: string | null;
  readonly incidentId: string | null;
  readonly scope: GrantScope;
  readonly state: GrantState;
  readonly staff: { readonly id: string; readonly name: string } | null;
  readonly requestedBy: { readonly type: string; readonly id: string | null };
  readonly approval: 'none' | 'second_staff' | 'customer';
  readonly approvedBy: string | null;
  readonly durationMinutes: number;
  readonly startsAt: string | null;
  readonly endsAt: string | null;
  readonly requestExpiresAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly createdAt: string;
}

/** What the detection module says about an incident: enough to hold a suspicious-activity grant to it. */
export interface IncidentFacts {
  readonly status: 'open' | 'acknowledged' | 'closed';
  /** The servers its findings were seen on. */
  readonly serverIds: readonly string[];
}

/** What detection (or security staff) passes to open a suspicious-activity grant. */
export interface SuspiciousActivityInput {
  readonly orgId: string;
  /** The incident the finding opened; required (a grant always names its ticket or incident). */
  readonly incidentId: string;
  readonly serverIds: readonly string[];
  readonly accountIds?: readonly string[];
  /** Default: terminal, tasks and read_facts_logs. */
  readonly actions?: readonly GrantAction[];
  /** Why staff need access, in words the customer reads. */
  readonly justification: string;
  /** Default 60, at most 24 hours. */
  readonly durationMinutes?: number;
  /** The staff member who will work on it, when known (security staff opening it themselves). */
  readonly staffId?: string;
  /** Who opened it: detection (system) or a staff member. */
  readonly openedBy?: { readonly type: 'system' } | { readonly type: 'staff'; readonly id: string };
}
