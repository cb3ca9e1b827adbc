/**
 * The grant rules as pure functions: the state a grant is in at a moment, whether it covers a resource and an
 * action, and what makes a request valid. Services call these; tests exercise them without a database.
 */
import { invalidInput } from '../../kernel/errors.js';
import { looksLikeId, newId } from '../../kernel/ids.js';
import type { AccessGrantsTable } from '../../db/schema.js';
import {
  FINAL_STATES,
  GRANT_ACTIONS,
  GRANT_REASONS,
  type AccessResource,
  type DenialReason,
  type GrantAction,
  type GrantReason,
  type GrantScope,
  type GrantState,
} from './access.types.js';

export type GrantRow = AccessGrantsTable;

export const MAX_GRANT_MINUTES = 24 * 60;
/** How long a request waits for a staff member (or an approver) before it lapses. */
export const REQUEST_TTL_MS = 7 * 24 * 3_600_000;

export const scopeOf = (row: GrantRow): GrantScope => ({
  serverIds: JSON.parse(row.server_ids) as string[],
  accountIds: JSON.parse(row.account_ids) as string[],
  actions: JSON.parse(row.actions) as GrantAction[],
});

/**
 * A new grant waiting for staff (or for its approval): the one place a grant row is built. Scope lists lose
 * their duplicates; the request lapses after REQUEST_TTL_MS.
 */
export function newGrantRow(input: {
  readonly orgId: string;
  readonly reason: GrantRow['reason'];
  readonly justification: string;
  readonly supportRequestId: string | null;
  readonly incidentId: string | null;
  readonly scope: {
    readonly serverIds: readonly string[];
    readonly accountIds: readonly string[];
    readonly actions: readonly string[];
  };
  readonly staffId: string | null;
  readonly requestedBy: { readonly type: GrantRow['requested_by_type']; readonly id: string | null };
  readonly approval: GrantRow['approval'];
  readonly durationMinutes: number;
  readonly nowMs: number;
}): GrantRow {
  const at = new Date(input.nowMs).toISOString();
  return {
    id: newId('grant', input.nowMs),
    org_id: input.orgId,
    reason: input.reason,
    justification: input.justification.trim(),
    support_request_id: input.supportRequestId,
    incident_id: input.incidentId,
    server_ids: JSON.stringify([...new Set(input.scope.serverIds)]),
    account_ids: JSON.stringify([...new Set(input.scope.accountIds)]),
    actions: JSON.stringify([...new Set(input.scope.actions)]),
    state: 'requested',
    staff_id: input.staffId,
    requested_by_type: input.requestedBy.type,
    requested_by: input.requestedBy.id,
    approval: input.approval,
    approved_by: null,
    duration_minutes: input.durationMinutes,
    starts_at: null,
    ends_at: null,
    request_expires_at: new Date(input.nowMs + REQUEST_TTL_MS).toISOString(),
    ended_at: null,
    ended_by: null,
    end_reason: null,
    created_at: at,
    updated_at: at,
  };
}

/**
 * The state a grant is in at `nowMs`, from what is stored and its window: an approved grant whose window has
 * begun is active, an active or approved one whose window has ended is expired, a request nobody took in time
 * is expired. Final states never change.
 */
export function effectiveState(
  row: Pick<GrantRow, 'state' | 'starts_at' | 'ends_at' | 'request_expires_at'>,
  nowMs: number,
): GrantState {
  if (FINAL_STATES.includes(row.state)) return row.state;
  if (row.state === 'requested') return Date.parse(row.request_expires_at) <= nowMs ? 'expired' : 'requested';
  if (row.ends_at !== null && Date.parse(row.ends_at) <= nowMs) return 'expired';
  if (row.state === 'approved' && row.starts_at !== null && Date.parse(row.starts_at) <= nowMs) return 'active';
  return row.state;
}

/**
 * Why `row` does not let `staffId` do `action` on `resource` at `nowMs`, or undefined when it does. The order
 * matters for the audit trail: the most basic mismatch is named first.
 */
export function denialFor(
  row: GrantRow,
  staffId: string,
  resource: AccessResource,
  action: GrantAction | 'any',
  nowMs: number,
): DenialReason | undefined {
  if (row.org_id !== resource.orgId) return 'other_org';
  if (row.staff_id !== staffId) return 'other_staff';
  const state = effectiveState(row, nowMs);
  if (state === 'requested' || state === 'approved') return 'pending';
  if (state === 'expired' || state === 'revoked' || state === 'denied') return state;
  const scope = scopeOf(row);
  if (resource.kind === 'server' && !scope.serverIds.includes(resource.serverId)) return 'other_server';
  if (resource.kind === 'provider_account' && !scope.accountIds.includes(resource.accountId)) return 'other_account';
  if (action !== 'any' && !scope.actions.includes(action)) return 'action_not_granted';
  return undefined;
}

/** Among several grants, the reason that best explains a refusal (the grant that came closest). */
export function closestDenial(reasons: readonly DenialReason[]): DenialReason {
  const rank: DenialReason[] = [
    'action_not_granted',
    'other_server',
    'other_account',
    'pending',
    'expired',
    'revoked',
    'denied',
    'other_staff',
    'other_org',
  ];
  for (const r of rank) if (reasons.includes(r)) return r;
  return 'no_grant';
}

const JUSTIFICATION_MIN = 10;

/** Checks what every grant must have (docs/decisions/0008-access.md): a known reason, a justification, its ticket or incident. */
export function assertValidGrantRequest(input: {
  reason: unknown;
  justification: unknown;
  supportRequestId?: unknown;
  incidentId?: unknown;
  durationMinutes?: unknown;
}): asserts input is { reason: GrantReason; justification: string } {
  if (typeof input.reason !== 'string' || input.reason.trim() === '')
    throw invalidInput('reason is required: initial_setup, support_request or suspicious_activity.', {
      field: 'reason',
    });
  if (!(GRANT_REASONS as readonly string[]).includes(input.reason))
    throw invalidInput(`reason must be one of ${GRANT_REASONS.join(', ')}.`, { field: 'reason' });
  if (typeof input.justification !== 'string' || input.justification.trim().length < JUSTIFICATION_MIN) {
    throw invalidInput(
      `justification is required: say in a sentence (${JUSTIFICATION_MIN} characters or more) why staff need access.`,
      { field: 'justification' },
    );
  }
  if (
    input.reason === 'support_request' &&
    !(typeof input.supportRequestId === 'string' && looksLikeId(input.supportRequestId, 'sup'))
  ) {
    throw invalidInput('A support_request grant belongs to a support request: give supportRequestId (sup_…).', {
      field: 'supportRequestId',
    });
  }
  if (
    input.reason === 'suspicious_activity' &&
    !(typeof input.incidentId === 'string' && /^[A-Za-z0-9_-]{3,64}$/.test(input.incidentId))
  ) {
    throw invalidInput('A suspicious_activity grant belongs to an incident: give incidentId.', { field: 'incidentId' });
  }
  if (
    input.durationMinutes !== undefined &&
    !(
      Number.isInteger(input.durationMinutes) &&
      (input.durationMinutes as number) >= 5 &&
      (input.durationMinutes as number) <= MAX_GRANT_MINUTES
    )
  ) {
    throw invalidInput(`durationMinutes must be a whole number from 5 to ${MAX_GRANT_MINUTES}.`, {
      field: 'durationMinutes',
    });
  }
}

export function assertValidActions(actions: readonly string[]): asserts actions is GrantAction[] {
  if (actions.length === 0) throw invalidInput('Name at least one action the grant allows.', { field: 'actions' });
  for (const a of actions)
    if (!(GRANT_ACTIONS as readonly string[]).includes(a))
      throw invalidInput(`Unknown action ${a}; actions are ${GRANT_ACTIONS.join(', ')}.`, { field: 'actions' });
}

/** A narrowed scope must be a subset of the current one: narrowing never widens. */
export function narrowedScope(
  current: GrantScope,
  next: { serverIds?: readonly string[]; accountIds?: readonly string[]; actions?: readonly GrantAction[] },
): GrantScope {
  const subset = <T>(field: string, now: readonly T[], want: readonly T[] | undefined): T[] => {
    if (want === undefined) return [...now];
    const extra = want.filter((x) => !now.includes(x));
    if (extra.length > 0)
      throw invalidInput(
        `Narrowing cannot add to a grant: ${field} ${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not in it.`,
        { field },
      );
    return [...new Set(want)];
  };
  const scope = {
    serverIds: subset('serverIds', current.serverIds, next.serverIds),
    accountIds: subset('accountIds', current.accountIds, next.accountIds),
    actions: subset('actions', current.actions, next.actions),
  };
  if (scope.actions.length === 0)
    throw invalidInput('A grant must keep at least one action; revoke it instead.', { field: 'actions' });
  if (scope.serverIds.length === 0 && scope.accountIds.length === 0)
    throw invalidInput('A grant must keep at least one server or account; revoke it instead.', { field: 'serverIds' });
  return scope;
}
