import { createHash } from 'node:crypto';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, forbidden, notFound } from '../../kernel/errors.js';
import { newId, randomToken } from '../../kernel/ids.js';
import { auditActor, type Actor, type OrgRole } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { orgsStore, type MembershipRow } from './orgs.store.js';

export interface OrgsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText' | 'emailIndex' | 'createScope' | 'ensureOpen'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly users: Pick<UsersService, 'profiles'>;
}

export interface Org {
  readonly id: string;
  readonly name: string;
  readonly role: OrgRole;
  readonly createdAt: string;
}

const INVITE_DAYS = 7;
const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

/** Organisations, their members and invitations; and the membership check every org-scoped action starts with. */
export function createOrgsService(deps: OrgsDeps) {
  const { db, clock } = deps;

  /**
   * Authorisation for everything under an organisation. A person who is not a member gets "not found" (so ids
   * of other organisations reveal nothing); a member whose role is too low gets "forbidden".
   */
  async function requireMember(
    actor: Actor,
    orgId: string,
    minRole: OrgRole = 'member',
    ctx: RequestContext = {},
  ): Promise<MembershipRow> {
    const org = await orgsStore.org(db, orgId);
    const membership = org ? await orgsStore.membership(db, orgId, actor.userId) : undefined;
    if (!membership) {
      // Recorded without the organisation id: a probe must not write into the probed organisation's log.
      await deps.audit.recordAlone(
        {
          action: 'access.denied',
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          result: 'denied',
          details: { reason: 'not_a_member' },
        },
        ctx,
      );
      throw notFound('The organisation');
    }
    if (minRole === 'owner' && membership.role !== 'owner') {
      await deps.audit.recordAlone(
        {
          action: 'access.denied',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          result: 'denied',
          details: { reason: 'owner_required' },
        },
        ctx,
      );
      throw forbidden('Only an owner of the organisation can do this.');
    }
    return membership;
  }

  /** Inside a transaction: the membership still holds (it may have changed since the check). */
  async function recheck(trx: Executor, actor: Actor, orgId: string, minRole: OrgRole): Promise<MembershipRow> {
    const m = await orgsStore.membership(trx, orgId, actor.userId);
    if (!m || (minRole === 'owner' && m.role !== 'owner'))
      throw new AppError('STEWARD_CONFLICT', 'Your membership changed while this was being done; try again.');
    return m;
  }

  async function insertOrgWithOwner(trx: Executor, name: string, ownerId: string): Promise<string> {
    const now = clock.iso();
    const orgId = newId('org', clock.nowMs());
    await orgsStore.insertOrg(trx, { id: orgId, name, status: 'active', created_at: now });
    await deps.vault.createScope(orgId, trx);
    await orgsStore.insertMembership(trx, {
      id: newId('mem', clock.nowMs()),
      org_id: orgId,
      user_id: ownerId,
      role: 'owner',
      created_at: now,
    });
    return orgId;
  }

  async function createOrg(actor: Actor, name: string, ctx: RequestContext): Promise<Org> {
    if (actor.kind !== 'customer') throw forbidden('Staff accounts do not own organisations.');
    const orgId = await db.transaction().execute(async (trx) => {
      const id = await insertOrgWithOwner(trx, name, actor.userId);
      await deps.audit.record(
        trx,
        { action: 'org.created', orgId: id, actor: auditActor(actor), target: { type: 'org', id }, details: { name } },
        ctx,
      );
      return id;
    });
    return getOrg(actor, orgId);
  }

  async function listMyOrgs(actor: Actor): Promise<Org[]> {
    const rows = await orgsStore.orgsOfUser(db, actor.userId);
    return rows.map((r) => ({ id: r.id, name: r.name, role: r.role, createdAt: r.created_at }));
  }

  async function getOrg(actor: Actor, orgId: string, ctx: RequestContext = {}): Promise<Org> {
    const m = await requireMember(actor, orgId, 'member', ctx);
    const org = (await orgsStore.org(db, orgId))!;
    return { id: org.id, name: org.name, role: m.role, createdAt: org.created_at };
  }

  async function renameOrg(actor: Actor, orgId: string, name: string, ctx: RequestContext): Promise<Org> {
    await requireMember(actor, orgId, 'owner', ctx);
    await db.transaction().execute(async (trx) => {
      await recheck(trx, actor, orgId, 'owner');
      await orgsStore.renameOrg(trx, orgId, name);
      await deps.audit.record(
        trx,
        {
          action: 'org.renamed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'org', id: orgId },
          details: { name },
        },
        ctx,
      );
    });
    return getOrg(actor, orgId);
  }

  async function listMembers(actor: Actor, orgId: string, ctx: RequestContext) {
    await requireMember(actor, orgId, 'member', ctx);
    const rows = await orgsStore.members(db, orgId);
    const people = await deps.users.profiles(rows.map((r) => r.user_id));
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      role: r.role,
      name: people.get(r.user_id)?.name ?? '',
      email: people.get(r.user_id)?.email ?? '',
      joinedAt: r.created_at,
    }));
  }

  async function invite(actor: Actor, orgId: string, input: { email: string; role: OrgRole }, ctx: RequestContext) {
    await requireMember(actor, orgId, 'owner', ctx);
    const token = randomToken(32);
    const now = clock.nowMs();
    const id = newId('inv', now);
    const sealed = await deps.vault.seal(
      { scope: orgId, table: 'invitations', column: 'email_sealed', row: id },
      input.email.trim(),
    );
    const expiresAt = new Date(now + INVITE_DAYS * 86_400_000).toISOString();
    await db.transaction().execute(async (trx) => {
      await orgsStore.insertInvitation(trx, {
        id,
        org_id: orgId,
        email_bidx: deps.vault.emailIndex(input.email),
        email_sealed: sealed,
        role: input.role,
        token_hash: sha256(token),
        invited_by: actor.userId,
        expires_at: expiresAt,
        accepted_at: null,
        created_at: new Date(now).toISOString(),
      });
      await deps.audit.record(
        trx,
        {
          action: 'member.invited',
          orgId,
          actor: auditActor(actor),
          target: { type: 'invitation', id },
          details: { role: input.role },
        },
        ctx,
      );
    });
    return { id, token, role: input.role, expiresAt };
  }

  async function listInvitations(actor: Actor, orgId: string, ctx: RequestContext) {
    await requireMember(actor, orgId, 'owner', ctx);
    const rows = await orgsStore.invitations(db, orgId);
    const out = [];
    for (const r of rows) {
      const email = await deps.vault.openText(
        { scope: orgId, table: 'invitations', column: 'email_sealed', row: r.id },
        r.email_sealed,
      );
      out.push({ id: r.id, email: email.reveal(), role: r.role, expiresAt: r.expires_at, createdAt: r.created_at });
    }
    return out;
  }

  async function revokeInvitation(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<void> {
    await requireMember(actor, orgId, 'owner', ctx);
    await db.transaction().execute(async (trx) => {
      const res = await orgsStore.deleteInvitation(trx, orgId, id);
      if (Number(res.numDeletedRows) === 0) throw notFound('The invitation');
      await deps.audit.record(
        trx,
        { action: 'member.invite_revoked', orgId, actor: auditActor(actor), target: { type: 'invitation', id } },
        ctx,
      );
    });
  }

  /** Accepting needs the invitee's own account: the invitation is bound to their e-mail address and works once. */
  async function acceptInvitation(actor: Actor, token: string, ctx: RequestContext): Promise<Org> {
    const invitation = await orgsStore.invitationByHash(db, sha256(token));
    const me = (await deps.users.profiles([actor.userId])).get(actor.userId);
    const valid =
      invitation !== undefined &&
      me !== undefined &&
      actor.kind === 'customer' &&
      invitation.accepted_at === null &&
      Date.parse(invitation.expires_at) > clock.nowMs() &&
      deps.vault.emailIndex(me.email) === invitation.email_bidx;
    if (!valid)
      throw new AppError(
        'STEWARD_INVITE_INVALID',
        'This invitation does not exist, was already used, has expired, or is for another e-mail address.',
      );
    await db.transaction().execute(async (trx) => {
      if (!(await orgsStore.acceptInvitation(trx, invitation.id, clock.iso())))
        throw new AppError('STEWARD_INVITE_INVALID', 'This invitation was already used.');
      if (await orgsStore.membership(trx, invitation.org_id, actor.userId))
        throw new AppError('STEWARD_CONFLICT', 'You are already a member of this organisation.');
      const id = newId('mem', clock.nowMs());
      await orgsStore.insertMembership(trx, {
        id,
        org_id: invitation.org_id,
        user_id: actor.userId,
        role: invitation.role,
        created_at: clock.iso(),
      });
      await deps.audit.record(
        trx,
        {
          action: 'member.joined',
          orgId: invitation.org_id,
          actor: auditActor(actor),
          target: { type: 'membership', id },
          details: { role: invitation.role },
        },
        ctx,
      );
    });
    return getOrg(actor, invitation.org_id);
  }

  async function changeRole(
    actor: Actor,
    orgId: string,
    membershipId: string,
    role: OrgRole,
    ctx: RequestContext,
  ): Promise<void> {
    await requireMember(actor, orgId, 'owner', ctx);
    await db.transaction().execute(async (trx) => {
      await recheck(trx, actor, orgId, 'owner');
      const target = await orgsStore.membershipById(trx, orgId, membershipId);
      if (!target) throw notFound('The member');
      if (target.role === 'owner' && role !== 'owner' && (await orgsStore.countOwners(trx, orgId)) <= 1) {
        throw new AppError('STEWARD_LAST_OWNER', 'This is the only owner; make someone else an owner first.');
      }
      await orgsStore.setRole(trx, membershipId, role);
      await deps.audit.record(
        trx,
        {
          action: 'member.role_changed',
          orgId,
          actor: auditActor(actor),
          target: { type: 'membership', id: membershipId },
          details: { from: target.role, to: role },
        },
        ctx,
      );
    });
  }

  async function removeMember(actor: Actor, orgId: string, membershipId: string, ctx: RequestContext): Promise<void> {
    await requireMember(actor, orgId, 'member', ctx);
    await db.transaction().execute(async (trx) => {
      const me = await recheck(trx, actor, orgId, 'member');
      const target = await orgsStore.membershipById(trx, orgId, membershipId);
      if (!target) throw notFound('The member');
      if (target.id !== me.id && me.role !== 'owner') throw forbidden('Only an owner can remove other members.');
      if (target.role === 'owner' && (await orgsStore.countOwners(trx, orgId)) <= 1) {
        throw new AppError('STEWARD_LAST_OWNER', 'This is the only owner; make someone else an owner first.');
      }
      await orgsStore.removeMembership(trx, membershipId);
      await deps.audit.record(
        trx,
        { action: 'member.removed', orgId, actor: auditActor(actor), target: { type: 'membership', id: membershipId } },
        ctx,
      );
    });
  }

  // For core/access notifications: who to tell about staff access to the organisation
  /** User ids of the organisation's owners (no authorisation: callers are services notifying them). */
  const ownerIds = async (orgId: string): Promise<string[]> =>
    (await orgsStore.members(db, orgId)).filter((m) => m.role === 'owner').map((m) => m.user_id);

  /** Organisations' names by id, for views that list several organisations' items (the staff queue). */
  const namesOf = async (ids: readonly string[]): Promise<Map<string, string>> =>
    new Map((await orgsStore.names(db, [...new Set(ids)])).map((o) => [o.id, o.name]));

  return {
    ownerIds,
    namesOf,
    requireMember,
    /** Sign-up (users module): a confirmed person's first organisation, which they own, inside its transaction. */
    createFirstOrg: insertOrgWithOwner,
    createOrg,
    listMyOrgs,
    getOrg,
    renameOrg,
    listMembers,
    invite,
    listInvitations,
    revokeInvitation,
    acceptInvitation,
    changeRole,
    removeMember,
  };
}

export type OrgsService = ReturnType<typeof createOrgsService>;
