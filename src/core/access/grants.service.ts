import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, invalidInput, notFound } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditEvent, AuditService, RequestContext } from '../audit/audit.service.js';
import type { Instruction } from '../instruction.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService } from '../servers/servers.service.js';
import type { UsersService } from '../users/users.service.js';
import type { AccessMail, MailPlan } from './access.mail.js';
import {
  assertValidActions,
  assertValidGrantRequest,
  closestDenial,
  denialFor,
  effectiveState,
  MAX_GRANT_MINUTES,
  narrowedScope,
  newGrantRow,
  scopeOf,
  type GrantRow,
} from './access.rules.js';
import { accessStore } from './access.store.js';
import type {
  AccessResource,
  DenialReason,
  GrantAction,
  GrantState,
  GrantView,
  IncidentFacts,
  SuspiciousActivityInput,
} from './access.types.js';

export interface GrantsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'namesOf'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly servers: Pick<ServersService, 'rowsFor'>;
  /** Whether a provider account belongs to the organisation (provisioning's). */
  readonly accountExists: (orgId: string, accountId: string) => Promise<boolean>;
  /** The organisation's incident by id (detection's); undefined when it has none by that id. */
  readonly incident: (orgId: string, incidentId: string) => Promise<IncidentFacts | undefined>;
  readonly mail: AccessMail;
  /** The staff confidentiality undertaking (privacy): without the current one, no grant is honoured. */
  readonly undertakings?: { hasAcceptedCurrent(staffId: string): Promise<boolean> };
}

export interface NewGrant {
  readonly reason: 'initial_setup' | 'support_request';
  readonly justification: string;
  readonly supportRequestId?: string;
  readonly serverIds: readonly string[];
  readonly accountIds?: readonly string[];
  readonly actions?: readonly string[];
  readonly durationMinutes: number;
}

/** Staff roles that work on customers' resources (marketing never does). */
const WORKING_ROLES = ['support', 'security', 'admin'] as const;
/** Staff roles that may be the second approver of a suspicious-activity grant. */
const APPROVER_ROLES = ['security', 'admin'] as const;
const CUSTOMER_DEFAULT_ACTIONS: readonly GrantAction[] = ['terminal', 'tasks', 'read_facts_logs'];

export const grantInstruction = (grant: Pick<GrantRow, 'id'>, staffId: string): Instruction => ({
  type: 'staff_grant',
  id: grant.id,
  actorId: staffId,
});

/**
 * Grants: the only way staff reach a customer's resources. Customers ask (initial setup, support) or detection
 * opens one (suspicious activity); a staff member takes it; approval where policy needs it; the window runs on
 * the injected clock; the customer can narrow or revoke at any time. Every change is audited and mailed in its
 * transaction. `requireActiveGrant` is the one check every staff action passes through.
 */
export function createGrantsService(deps: GrantsDeps) {
  const { db, clock } = deps;
  const now = () => clock.nowMs();
  const iso = (ms: number) => new Date(ms).toISOString();

  async function views(rows: readonly GrantRow[]): Promise<GrantView[]> {
    const people = await deps.users.profiles(rows.flatMap((r) => (r.staff_id ? [r.staff_id] : [])));
    const orgNames = await deps.orgs.namesOf(rows.map((r) => r.org_id));
    return rows.map((r) => ({
      id: r.id,
      orgId: r.org_id,
      orgName: orgNames.get(r.org_id) ?? '',
      reason: r.reason,
      justification: r.justification,
      supportRequestId: r.support_request_id,
      incidentId: r.incident_id,
      scope: scopeOf(r),
      state: effectiveState(r, now()),
      staff: r.staff_id ? { id: r.staff_id, name: people.get(r.staff_id)?.name ?? '' } : null,
      requestedBy: { type: r.requested_by_type, id: r.requested_by },
      approval: r.approval,
      approvedBy: r.approved_by,
      durationMinutes: r.duration_minutes,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      requestExpiresAt: r.request_expires_at,
      endedAt: r.ended_at,
      endReason: r.end_reason,
      createdAt: r.created_at,
    }));
  }
  const viewOf = async (row: GrantRow): Promise<GrantView> => (await views([row]))[0]!;

  async function checkScope(
    orgId: string,
    scope: { serverIds: readonly string[]; accountIds: readonly string[] },
  ): Promise<void> {
    if (scope.serverIds.length === 0 && scope.accountIds.length === 0)
      throw invalidInput('Name at least one server or provider account the grant covers.', { field: 'serverIds' });
    const found = await deps.servers.rowsFor(orgId, scope.serverIds);
    const missing = scope.serverIds.find((id) => !found.some((s) => s.id === id));
    if (missing) throw notFound(`Server ${missing}`);
    for (const a of scope.accountIds)
      if (!(await deps.accountExists(orgId, a))) throw notFound(`Provider account ${a}`);
  }

  const planFor = (row: GrantRow, staffId: string | null = row.staff_id): Promise<MailPlan> =>
    deps.mail.prepare(row.org_id, row.requested_by, staffId);

  /**
   * Writes a state change (only if the grant is still as read), its audit event and its mail in one transaction.
   * `plan` is read before the transaction: inside it only `trx` may be used.
   */
  async function move(input: {
    readonly trx: Executor;
    readonly row: GrantRow;
    readonly patch: Partial<GrantRow>;
    readonly event: AuditEvent;
    readonly mailEvent: string;
    readonly plan: MailPlan;
    readonly ctx: RequestContext;
  }): Promise<GrantRow> {
    const { trx, row, patch, event, mailEvent, plan, ctx } = input;
    if (!(await accessStore.moveGrant(trx, row.id, row.state, { ...patch, updated_at: clock.iso() })))
      throw new AppError('STEWARD_GRANT_STATE', 'The grant changed while this was being done; look at it again.');
    const next = { ...row, ...patch } as GrantRow;
    await deps.audit.record(trx, event, ctx);
    await deps.mail.grantChanged(trx, next, mailEvent, plan);
    return next;
  }

  /** Inside a transaction: a grant of the customer's request (initial setup or a support request), waiting for staff. */
  async function insertRequested(args: {
    readonly trx: Executor;
    readonly actor: Actor;
    readonly orgId: string;
    readonly input: NewGrant;
    readonly plan: MailPlan;
    readonly ctx: RequestContext;
  }): Promise<GrantRow> {
    const { trx, actor, orgId, input, plan, ctx } = args;
    const actions = input.actions ?? CUSTOMER_DEFAULT_ACTIONS;
    assertValidActions(actions);
    const row = newGrantRow({
      orgId,
      reason: input.reason,
      justification: input.justification,
      supportRequestId: input.supportRequestId ?? null,
      incidentId: null,
      scope: { serverIds: input.serverIds, accountIds: input.accountIds ?? [], actions },
      staffId: null,
      requestedBy: { type: 'user', id: actor.userId },
      approval: 'none',
      durationMinutes: input.durationMinutes,
      nowMs: now(),
    });
    await accessStore.insertGrant(trx, row);
    await deps.audit.record(
      trx,
      {
        action: 'grant.requested',
        orgId,
        actor: auditActor(actor),
        target: { type: 'grant', id: row.id },
        details: {
          reason: row.reason,
          supportRequest: row.support_request_id,
          scope: scopeOf(row),
          durationMinutes: row.duration_minutes,
        },
      },
      ctx,
    );
    await deps.mail.grantChanged(trx, row, 'requested', plan);
    return row;
  }

  /** A customer asks for staff help; their asking is the consent. A support_request grant needs its open request. */
  async function requestGrant(
    actor: Actor,
    orgId: string,
    input: Omit<NewGrant, 'reason'> & { reason: string },
    ctx: RequestContext,
  ): Promise<GrantView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    assertValidGrantRequest(input);
    if (input.reason === 'suspicious_activity')
      throw invalidInput(
        'Suspicious-activity grants are opened by a detection finding or security staff, not requested; use initial_setup or support_request.',
        { field: 'reason' },
      );
    if (
      !Number.isInteger(input.durationMinutes) ||
      input.durationMinutes < 5 ||
      input.durationMinutes > MAX_GRANT_MINUTES
    )
      throw invalidInput(`durationMinutes must be from 5 to ${MAX_GRANT_MINUTES}.`, { field: 'durationMinutes' });
    await checkScope(orgId, { serverIds: [...input.serverIds], accountIds: [...(input.accountIds ?? [])] });
    if (input.reason === 'support_request') {
      const support = await accessStore.support(db, input.supportRequestId!);
      if (!support || support.org_id !== orgId) throw notFound('The support request');
      if (support.status !== 'open')
        throw new AppError('STEWARD_CONFLICT', 'That support request is closed; open a new one.');
    }
    const plan = await deps.mail.prepare(orgId, actor.userId, null);
    const row = await db
      .transaction()
      .execute((t) => insertRequested({ trx: t, actor, orgId, input: input as unknown as NewGrant, plan, ctx }));
    return viewOf(row);
  }

  /**
   * The incident a suspicious-activity grant names must be real: the organisation's own, still open, and covering
   * every server the grant would reach. An incident id typed by staff proves nothing otherwise.
   */
  async function checkIncident(orgId: string, incidentId: string, serverIds: readonly string[]): Promise<void> {
    const incident = await deps.incident(orgId, incidentId);
    if (!incident) throw notFound('The incident');
    if (incident.status === 'closed')
      throw new AppError(
        'STEWARD_INCIDENT_CLOSED',
        'The incident is closed; suspicious-activity access needs an open one.',
      );
    const outside = serverIds.filter((id) => !incident.serverIds.includes(id));
    if (outside.length > 0)
      throw new AppError(
        'STEWARD_INCIDENT_SCOPE',
        `The grant may only reach servers the incident was seen on; ${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} not among them.`,
        { field: 'serverIds', servers: outside },
      );
  }

  /**
   * Opened by a detection finding (or security staff) for an incident. The customer is mailed at once and can
   * revoke; a second staff member (or, by the organisation's policy, the customer) must approve before it is active.
   */
  async function openSuspiciousActivityGrant(
    input: SuspiciousActivityInput,
    ctx: RequestContext = {},
  ): Promise<GrantView> {
    const duration = input.durationMinutes ?? 60;
    assertValidGrantRequest({
      reason: 'suspicious_activity',
      justification: input.justification,
      incidentId: input.incidentId,
      durationMinutes: duration,
    });
    const actions = input.actions ?? CUSTOMER_DEFAULT_ACTIONS;
    assertValidActions(actions);
    const scope = {
      serverIds: [...new Set(input.serverIds)],
      accountIds: [...new Set(input.accountIds ?? [])],
      actions: [...new Set(actions)],
    };
    await checkScope(input.orgId, scope);
    await checkIncident(input.orgId, input.incidentId, scope.serverIds);
    const policy = await accessStore.policy(db, input.orgId);
    const opener = input.openedBy ?? { type: 'system' as const };
    const plan = await deps.mail.prepare(input.orgId, null, input.staffId ?? null);
    const row = newGrantRow({
      orgId: input.orgId,
      reason: 'suspicious_activity',
      justification: input.justification,
      supportRequestId: null,
      incidentId: input.incidentId,
      scope,
      staffId: input.staffId ?? null,
      requestedBy: opener.type === 'staff' ? { type: 'staff', id: opener.id } : { type: 'system', id: null },
      approval: policy?.suspicious_approval ?? 'second_staff',
      durationMinutes: duration,
      nowMs: now(),
    });
    await db.transaction().execute(async (trx) => {
      await accessStore.insertGrant(trx, row);
      await deps.audit.record(
        trx,
        {
          action: 'grant.opened',
          orgId: row.org_id,
          actor: opener.type === 'staff' ? { type: 'staff', id: opener.id } : { type: 'system' },
          target: { type: 'grant', id: row.id },
          details: {
            reason: row.reason,
            incident: row.incident_id,
            scope,
            durationMinutes: duration,
            approval: row.approval,
            staff: row.staff_id,
          },
        },
        ctx,
      );
      await deps.mail.grantChanged(trx, row, 'opened', plan);
    });
    return viewOf(row);
  }

  /** The grant, with its stored state brought up to date with the clock first (audited and mailed). */
  async function settle(row: GrantRow, ctx: RequestContext = {}): Promise<GrantRow> {
    const state = effectiveState(row, now());
    if (state === row.state) return row;
    const plan = await planFor(row);
    return db
      .transaction()
      .execute(async (trx) => {
        const fresh = await accessStore.grant(trx, row.id);
        if (!fresh || fresh.state !== row.state) return fresh ?? row;
        const action = state === 'active' ? 'grant.activated' : 'grant.expired';
        const patch: Partial<GrantRow> =
          state === 'expired'
            ? { state, ended_at: clock.iso(), end_reason: fresh.state === 'requested' ? 'never_taken' : 'window_ended' }
            : { state };
        return move({
          trx,
          row: fresh,
          patch,
          event: {
            action,
            orgId: fresh.org_id,
            actor: { type: 'system' },
            target: { type: 'grant', id: fresh.id },
            details: { from: fresh.state },
          },
          mailEvent: state === 'active' ? 'activated' : 'expired',
          plan,
          ctx,
        });
      })
      .catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'STEWARD_GRANT_STATE') return row;
        throw err;
      });
  }

  async function loadForStaff(actor: Actor, grantId: string, ctx: RequestContext): Promise<GrantRow> {
    if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => (WORKING_ROLES as readonly string[]).includes(r))) {
      await deps.audit.recordAlone(
        {
          action: 'access.denied',
          actor: auditActor(actor),
          target: { type: 'grant', id: grantId },
          result: 'denied',
          details: { reason: 'not_staff' },
        },
        ctx,
      );
      throw notFound('The grant');
    }
    const row = await accessStore.grant(db, grantId);
    if (!row) throw notFound('The grant');
    return settle(row, ctx);
  }

  const activeWindow = (row: GrantRow): Partial<GrantRow> => {
    const t = now();
    return { state: 'active', starts_at: iso(t), ends_at: iso(t + row.duration_minutes * 60_000) };
  };

  /** A staff member takes a request; it binds to them. Customer-requested grants become active at once. */
  async function takeGrant(
    actor: Actor,
    grantId: string,
    ctx: RequestContext,
    also?: (trx: Executor, grant: GrantRow) => Promise<void>,
  ): Promise<GrantView> {
    const row = await loadForStaff(actor, grantId, ctx);
    if (row.state !== 'requested')
      throw new AppError('STEWARD_GRANT_STATE', `This grant is ${row.state}; only a request can be taken.`);
    if (row.staff_id && row.staff_id !== actor.userId)
      throw new AppError('STEWARD_CONFLICT', 'Another staff member has taken this request.');
    const plan = await planFor(row, actor.userId);
    const work = async (t: Executor): Promise<GrantRow> => {
      const event = (action: AuditEvent['action'], details: Record<string, unknown>): AuditEvent => ({
        action,
        orgId: row.org_id,
        actor: auditActor(actor),
        target: { type: 'grant', id: row.id },
        details,
      });
      if (row.approval !== 'none') {
        if (row.staff_id === actor.userId) return row;
        return move({
          trx: t,
          row,
          patch: { staff_id: actor.userId },
          event: event('grant.taken', { awaiting: row.approval }),
          mailEvent: 'taken',
          plan,
          ctx,
        });
      }
      const taken = await move({
        trx: t,
        row,
        patch: { staff_id: actor.userId, ...activeWindow(row) },
        event: event('grant.taken', { endsAt: null }),
        mailEvent: 'taken',
        plan,
        ctx,
      });
      await deps.audit.record(t, event('grant.activated', { startsAt: taken.starts_at, endsAt: taken.ends_at }), ctx);
      return taken;
    };
    return viewOf(
      await db.transaction().execute(async (t) => {
        const taken = await work(t);
        await also?.(t, taken);
        return taken;
      }),
    );
  }

  /** Approval where the grant needs it: a second staff member (security/admin) or an owner, never the grant's own staff member. */
  async function approveGrant(actor: Actor, grantId: string, ctx: RequestContext, orgId?: string): Promise<GrantView> {
    const row =
      actor.kind === 'customer'
        ? await customerGrant(actor, orgId ?? '', grantId, ctx, 'owner')
        : await loadForStaff(actor, grantId, ctx);
    if (row.state !== 'requested')
      throw new AppError('STEWARD_GRANT_STATE', `This grant is ${row.state}; only a request can be approved.`);
    if (row.staff_id === actor.userId || row.requested_by === actor.userId) {
      await deps.audit.recordAlone(
        {
          action: 'access.denied',
          orgId: row.org_id,
          actor: auditActor(actor),
          target: { type: 'grant', id: row.id },
          result: 'denied',
          details: { reason: 'self_approval' },
        },
        ctx,
      );
      throw new AppError(
        'STEWARD_SELF_APPROVAL',
        'You cannot approve a grant you asked for or that is for you; another person must.',
      );
    }
    if (row.approval === 'none')
      throw new AppError(
        'STEWARD_GRANT_STATE',
        'This grant needs no approval: the customer asked for it; a staff member takes it.',
      );
    if (row.approval === 'customer' && actor.kind !== 'customer')
      throw forbidden('The organisation’s policy says its owners approve suspicious-activity access.');
    if (
      row.approval === 'second_staff' &&
      !(actor.kind === 'staff' && actor.staffRoles.some((r) => (APPROVER_ROLES as readonly string[]).includes(r)))
    )
      throw forbidden('A second staff member with the security or admin role approves suspicious-activity access.');
    if (!row.staff_id)
      throw new AppError('STEWARD_CONFLICT', 'No staff member has taken this grant yet; approve it once someone has.');
    const plan = await planFor(row);
    const done = await db.transaction().execute(async (trx) => {
      const approved = await move({
        trx,
        row,
        patch: { approved_by: actor.userId, ...activeWindow(row) },
        event: {
          action: 'grant.approved',
          orgId: row.org_id,
          actor: auditActor(actor),
          target: { type: 'grant', id: row.id },
          details: { approval: row.approval },
        },
        mailEvent: 'approved',
        plan,
        ctx,
      });
      await deps.audit.record(
        trx,
        {
          action: 'grant.activated',
          orgId: row.org_id,
          actor: { type: 'system' },
          target: { type: 'grant', id: row.id },
          details: { startsAt: approved.starts_at, endsAt: approved.ends_at },
        },
        ctx,
      );
      return approved;
    });
    return viewOf(done);
  }

  async function customerGrant(
    actor: Actor,
    orgId: string,
    grantId: string,
    ctx: RequestContext,
    role: 'member' | 'owner' = 'member',
  ): Promise<GrantRow> {
    await deps.orgs.requireMember(actor, orgId, role, ctx);
    const row = await accessStore.grant(db, grantId);
    if (!row || row.org_id !== orgId) throw notFound('The grant');
    return settle(row, ctx);
  }

  /** Refuses a request before it is active: the customer (owner) or a would-be second approver. */
  async function denyGrant(actor: Actor, grantId: string, ctx: RequestContext, orgId?: string): Promise<GrantView> {
    const row =
      actor.kind === 'customer'
        ? await customerGrant(actor, orgId ?? '', grantId, ctx, 'owner')
        : await loadForStaff(actor, grantId, ctx);
    if (row.state !== 'requested')
      throw new AppError('STEWARD_GRANT_STATE', `This grant is ${row.state}; only a request can be refused.`);
    if (actor.kind === 'staff' && row.approval !== 'second_staff')
      throw forbidden('Only the customer can refuse this request.');
    const plan = await planFor(row);
    const done = await db.transaction().execute((trx) =>
      move({
        trx,
        row,
        patch: { state: 'denied', ended_at: clock.iso(), ended_by: actor.userId, end_reason: 'denied' },
        event: {
          action: 'grant.denied',
          orgId: row.org_id,
          actor: auditActor(actor),
          target: { type: 'grant', id: row.id },
        },
        mailEvent: 'denied',
        plan,
        ctx,
      }),
    );
    return viewOf(done);
  }

  /** Ends a grant now. Customers (any member) revoke; its staff member or security/admin staff may end it early. */
  async function revokeGrant(input: {
    readonly actor: Actor;
    readonly grantId: string;
    readonly ctx: RequestContext;
    /** The organisation in the customer's URL (customers only; staff reach the grant by its id). */
    readonly orgId?: string;
    /** Why it ended, as the customer sees it: `revoked` unless given. */
    readonly reason?: string;
    /** More writes in the same transaction (closing the support request the grant belongs to). */
    readonly also?: (trx: Executor) => Promise<void>;
  }): Promise<GrantView> {
    const { actor, grantId, ctx, orgId, also } = input;
    const reason = input.reason ?? 'revoked';
    let row =
      actor.kind === 'customer'
        ? await customerGrant(actor, orgId ?? '', grantId, ctx)
        : await loadForStaff(actor, grantId, ctx);
    if (
      actor.kind === 'staff' &&
      row.staff_id !== actor.userId &&
      !actor.staffRoles.some((r) => (APPROVER_ROLES as readonly string[]).includes(r))
    )
      throw forbidden('Only the grant’s own staff member or security staff can end it.');
    const plan = await planFor(row);
    const final = ['expired', 'revoked', 'denied'].includes(row.state);
    row = await db.transaction().execute(async (t) => {
      const next = final
        ? row
        : await move({
            trx: t,
            row,
            patch: { state: 'revoked', ended_at: clock.iso(), ended_by: actor.userId, end_reason: reason },
            event: {
              action: 'grant.revoked',
              orgId: row.org_id,
              actor: auditActor(actor),
              target: { type: 'grant', id: row.id },
              details: { from: row.state, reason },
            },
            mailEvent: 'revoked',
            plan,
            ctx,
          });
      await also?.(t);
      return next;
    });
    return viewOf(row);
  }

  /** The customer takes away servers, accounts or actions, or ends the window sooner; never widens. */
  async function narrowGrant(
    actor: Actor,
    orgId: string,
    grantId: string,
    input: {
      serverIds?: readonly string[];
      accountIds?: readonly string[];
      actions?: readonly GrantAction[];
      endsAt?: string;
    },
    ctx: RequestContext,
  ): Promise<GrantView> {
    const row = await customerGrant(actor, orgId, grantId, ctx);
    if (['expired', 'revoked', 'denied'].includes(row.state))
      throw new AppError('STEWARD_GRANT_STATE', `This grant is ${row.state}; there is nothing to narrow.`);
    const scope = narrowedScope(scopeOf(row), input);
    const patch: Partial<GrantRow> = {
      server_ids: JSON.stringify(scope.serverIds),
      account_ids: JSON.stringify(scope.accountIds),
      actions: JSON.stringify(scope.actions),
    };
    if (input.endsAt !== undefined) {
      const at = Date.parse(input.endsAt);
      if (!Number.isFinite(at) || at <= now())
        throw invalidInput('endsAt must be a time in the future (ISO-8601).', { field: 'endsAt' });
      if (row.ends_at && at >= Date.parse(row.ends_at))
        throw invalidInput('Narrowing can only make the window shorter.', { field: 'endsAt' });
      if (row.ends_at) patch.ends_at = iso(at);
      else patch.duration_minutes = Math.max(1, Math.min(row.duration_minutes, Math.ceil((at - now()) / 60_000)));
    }
    const plan = await planFor(row);
    const done = await db.transaction().execute((trx) =>
      move({
        trx,
        row,
        patch,
        event: {
          action: 'grant.narrowed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'grant', id: row.id },
          details: { scope, endsAt: patch.ends_at ?? row.ends_at },
        },
        mailEvent: 'narrowed',
        plan,
        ctx,
      }),
    );
    return viewOf(done);
  }

  /**
   * Refuses: an `access.denied` audit event naming the reason (one set of reasons, `denialFor`'s), then
   * STEWARD_NO_ACTIVE_GRANT. `during` names work refused when it was about to happen rather than when asked for.
   */
  async function deny(input: {
    readonly actor: { readonly type: 'user' | 'staff'; readonly id: string };
    readonly resource: AccessResource;
    readonly action: GrantAction | 'any';
    readonly reason: DenialReason;
    readonly grantId: string | null;
    readonly during?: 'ssh_login';
    readonly ctx?: RequestContext;
  }): Promise<never> {
    const { resource, action, reason } = input;
    const target =
      resource.kind === 'server'
        ? { type: 'server', id: resource.serverId }
        : resource.kind === 'provider_account'
          ? { type: 'provider_account', id: resource.accountId }
          : { type: 'org', id: resource.orgId };
    await deps.audit.recordAlone(
      {
        action: 'access.denied',
        orgId: resource.orgId || null,
        actor: input.actor,
        target,
        result: 'denied',
        details: { reason, action, grant: input.grantId, ...(input.during ? { during: input.during } : {}) },
      },
      input.ctx ?? {},
    );
    if (reason === 'undertaking_not_accepted')
      throw new AppError(
        'STEWARD_UNDERTAKING_REQUIRED',
        'Your staff roles are inactive until you accept the current confidentiality undertaking; no grant is honoured meanwhile.',
        { reason },
      );
    const what = input.during === 'ssh_login' ? 'log in to this server' : `${action.replace(/_/g, ' ')} here`;
    throw new AppError(
      'STEWARD_NO_ACTIVE_GRANT',
      input.during === 'ssh_login'
        ? `The grant behind this work does not let staff ${what} (${reason.replace(/_/g, ' ')}); Steward did not log in.`
        : `You have no active grant that lets you ${what} (${reason.replace(/_/g, ' ')}). Staff reach customers’ resources only under a grant the customer can see.`,
      { reason },
    );
  }

  /**
   * The one choke point: the grant that lets `actor` do `action` on `resource` now, with the instruction every
   * SSH login and provider call it leads to is recorded under. Anything else is refused with
   * STEWARD_NO_ACTIVE_GRANT and an `access.denied` audit event naming why.
   */
  async function requireActiveGrant(
    actor: Actor,
    resource: AccessResource,
    action: GrantAction | 'any',
    ctx: RequestContext = {},
  ): Promise<{ grant: GrantRow; instruction: Instruction }> {
    if (actor.kind !== 'staff')
      return deny({
        actor: auditActor(actor),
        resource,
        action,
        reason: 'not_staff',
        grantId: resource.grantId ?? null,
        ctx,
      });
    if (deps.undertakings && !(await deps.undertakings.hasAcceptedCurrent(actor.userId)))
      return deny({
        actor: auditActor(actor),
        resource,
        action,
        reason: 'undertaking_not_accepted',
        grantId: resource.grantId ?? null,
        ctx,
      });
    const candidates = resource.grantId
      ? [await accessStore.grant(db, resource.grantId)].filter((g): g is GrantRow => g !== undefined)
      : (await accessStore.grantsOfStaff(db, actor.userId, 500)).filter((g) => g.org_id === resource.orgId);
    const reasons: DenialReason[] = [];
    for (const candidate of candidates) {
      const row = await settle(candidate, ctx);
      const reason = denialFor(row, actor.userId, resource, action, now());
      if (reason === undefined) return { grant: row, instruction: grantInstruction(row, actor.userId) };
      reasons.push(reason);
    }
    return deny({
      actor: auditActor(actor),
      resource,
      action,
      reason: closestDenial(reasons),
      grantId: resource.grantId ?? null,
      ctx,
    });
  }

  /**
   * The `beforeLogin` hook: every SSH login under a staff grant (jobs queued earlier included) passes the same
   * rule as the action that queued it, `denialFor`, checked against the database when the login happens.
   */
  async function guardLogin(instruction: Instruction, server: { readonly id: string; readonly org_id: string }) {
    if (instruction.type !== 'staff_grant') return;
    const resource: AccessResource = { kind: 'server', orgId: server.org_id, serverId: server.id };
    const row = await accessStore.grant(db, instruction.id);
    const undertaken = !deps.undertakings || (await deps.undertakings.hasAcceptedCurrent(instruction.actorId));
    const reason = !undertaken
      ? 'undertaking_not_accepted'
      : row
        ? denialFor(row, instruction.actorId, resource, 'any', now())
        : 'no_grant';
    if (reason === undefined) return;
    await deny({
      actor: { type: 'staff', id: instruction.actorId },
      resource,
      action: 'any',
      reason,
      grantId: instruction.id,
      during: 'ssh_login',
    });
  }

  /** Brings stored states up to date with the clock (activations, expiries), auditing and mailing each. */
  async function sweep(): Promise<number> {
    let changed = 0;
    for (const row of await accessStore.unsettled(db, 1000)) {
      if (effectiveState(row, now()) === row.state) continue;
      const after = await settle(row).catch((err: unknown) => {
        deps.logger.warn({ grant: row.id, err: (err as Error).message }, 'grant sweep failed');
        return row;
      });
      if (after.state !== row.state) changed++;
    }
    return changed;
  }

  /** The current state of grants by id, read from the database (for live sessions in any process). */
  async function statesOf(ids: readonly string[]): Promise<Map<string, GrantState>> {
    const rows = await accessStore.grantsByIds(db, ids);
    return new Map(rows.map((r) => [r.id, effectiveState(r, now())]));
  }

  return {
    requireActiveGrant,
    guardLogin,
    requestGrant,
    /** The organisation a grant is for ('' when there is no such grant); no authorisation, no audit. */
    orgOfGrant: async (grantId: string): Promise<string> => (await accessStore.grant(db, grantId))?.org_id ?? '',
    insertRequested,
    checkScope,
    openSuspiciousActivityGrant,
    takeGrant,
    approveGrant,
    denyGrant,
    revokeGrant,
    narrowGrant,
    sweep,
    statesOf,
    settle,
    views,
    loadForStaff,
    async listForOrg(
      actor: Actor,
      orgId: string,
      filter: { state?: GrantState; limit: number },
      ctx: RequestContext,
    ): Promise<GrantView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const all = await views(await accessStore.grantsOfOrg(db, orgId, filter.limit));
      return filter.state ? all.filter((g) => g.state === filter.state) : all;
    },
    async getForOrg(actor: Actor, orgId: string, grantId: string, ctx: RequestContext): Promise<GrantView> {
      return viewOf(await customerGrant(actor, orgId, grantId, ctx));
    },
    /** A staff member's grants, plus the requests and approvals waiting for any staff member. */
    async listForStaff(
      actor: Actor,
      filter: { queue: boolean; limit: number },
      ctx: RequestContext,
    ): Promise<GrantView[]> {
      if (actor.kind !== 'staff') throw forbidden('This list is for staff.');
      const rows = filter.queue
        ? await accessStore.openForStaff(db, filter.limit)
        : await accessStore.grantsOfStaff(db, actor.userId, filter.limit);
      void ctx;
      return views(await Promise.all(rows.map((r) => settle(r))));
    },
    async getForStaff(actor: Actor, grantId: string, ctx: RequestContext): Promise<GrantView> {
      const row = await loadForStaff(actor, grantId, ctx);
      if (
        row.staff_id !== actor.userId &&
        row.state !== 'requested' &&
        !actor.staffRoles.some((r) => (APPROVER_ROLES as readonly string[]).includes(r))
      )
        throw notFound('The grant');
      return viewOf(row);
    },
    async setPolicy(actor: Actor, orgId: string, suspiciousApproval: 'second_staff' | 'customer', ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'owner', ctx);
      await db.transaction().execute(async (trx) => {
        await accessStore.setPolicy(trx, {
          org_id: orgId,
          suspicious_approval: suspiciousApproval,
          updated_by: actor.userId,
          updated_at: clock.iso(),
        });
        await deps.audit.record(
          trx,
          {
            action: 'access.policy_changed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'org', id: orgId },
            details: { suspiciousApproval },
          },
          ctx,
        );
      });
      return { suspiciousApproval };
    },
    async getPolicy(actor: Actor, orgId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return { suspiciousApproval: (await accessStore.policy(db, orgId))?.suspicious_approval ?? 'second_staff' };
    },
  };
}

export type GrantsService = ReturnType<typeof createGrantsService>;
