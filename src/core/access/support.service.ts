import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { AccessMail } from './access.mail.js';
import { MAX_GRANT_MINUTES } from './access.rules.js';
import { accessStore, type SupportRow } from './access.store.js';
import type { GrantAction } from './access.types.js';
import type { GrantsService } from './grants.service.js';

export interface SupportDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly orgs: Pick<OrgsService, 'requireMember' | 'namesOf'>;
  readonly users: Pick<UsersService, 'profiles'>;
  readonly grants: Pick<GrantsService, 'insertRequested' | 'takeGrant' | 'revokeGrant' | 'loadForStaff' | 'checkScope'>;
  readonly mail: AccessMail;
}

export interface SupportView {
  readonly id: string;
  readonly orgId: string;
  /** The organisation's name, so the staff queue says whose request it is. */
  readonly orgName: string;
  readonly kind: SupportRow['kind'];
  readonly subject: string;
  readonly status: SupportRow['status'];
  readonly openedBy: string;
  readonly staff: { readonly id: string; readonly name: string } | null;
  readonly serverIds: string[];
  readonly durationMinutes: number;
  readonly grantId: string | null;
  readonly createdAt: string;
  readonly closedAt: string | null;
  readonly messages?: {
    readonly id: string;
    readonly author: { readonly id: string; readonly kind: string; readonly name: string };
    readonly body: string;
    readonly at: string;
  }[];
}

const sealCtx = (orgId: string, id: string) => ({
  scope: orgId,
  table: 'support_messages',
  column: 'body_sealed',
  row: id,
});

/**
 * Support requests: a customer asks for help (or for initial setup) on some servers for some time; asking
 * creates the grant the staff member who takes the request works under. Staff and customer exchange messages
 * (sealed: they may describe the customer's systems); closing the request ends the grant.
 */
/** Staff roles that read and answer appeals against suspensions. */
const APPEAL_READERS: readonly string[] = ['security', 'admin'];

export function createSupportService(deps: SupportDeps) {
  const { db, clock } = deps;

  const baseView = (
    row: SupportRow,
    orgNames: ReadonlyMap<string, string>,
    people: ReadonlyMap<string, { name: string }>,
  ): SupportView => ({
    id: row.id,
    orgId: row.org_id,
    orgName: orgNames.get(row.org_id) ?? '',
    kind: row.kind,
    subject: row.subject,
    status: row.status,
    openedBy: row.opened_by,
    staff: row.staff_id ? { id: row.staff_id, name: people.get(row.staff_id)?.name ?? '' } : null,
    serverIds: JSON.parse(row.server_ids) as string[],
    durationMinutes: row.duration_minutes,
    grantId: row.grant_id,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  });

  /** Requests of a list, without messages: their organisations' names and staff names read once for all. */
  async function views(rows: readonly SupportRow[]): Promise<SupportView[]> {
    const orgNames = await deps.orgs.namesOf(rows.map((r) => r.org_id));
    const people = await deps.users.profiles(rows.flatMap((r) => (r.staff_id ? [r.staff_id] : [])));
    return rows.map((r) => baseView(r, orgNames, people));
  }

  async function view(row: SupportRow, withMessages: boolean): Promise<SupportView> {
    if (!withMessages) return (await views([row]))[0]!;
    const messages = await accessStore.messages(db, row.id);
    const people = await deps.users.profiles([
      ...(row.staff_id ? [row.staff_id] : []),
      ...messages.map((m) => m.author_id),
    ]);
    const out = baseView(row, await deps.orgs.namesOf([row.org_id]), people);
    const opened = [];
    for (const m of messages)
      opened.push({
        id: m.id,
        author: { id: m.author_id, kind: m.author_kind, name: people.get(m.author_id)?.name ?? '' },
        body: (await deps.vault.openText(sealCtx(m.org_id, m.id), m.body_sealed)).reveal(),
        at: m.created_at,
      });
    return { ...out, messages: opened };
  }

  async function addMessage(
    trx: Executor,
    row: SupportRow,
    actor: Actor,
    body: string,
    ctx: RequestContext,
  ): Promise<string> {
    const id = newId('msg', clock.nowMs());
    await accessStore.insertMessage(trx, {
      id,
      request_id: row.id,
      org_id: row.org_id,
      author_id: actor.userId,
      author_kind: actor.kind,
      body_sealed: await deps.vault.seal(sealCtx(row.org_id, id), body, trx),
      created_at: clock.iso(),
    });
    await deps.audit.record(
      trx,
      {
        action: 'support.message',
        orgId: row.org_id,
        actor: auditActor(actor),
        target: { type: 'support_request', id: row.id },
        details: { message: id, length: body.length },
      },
      ctx,
    );
    return id;
  }

  async function customerRequest(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<SupportRow> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const row = await accessStore.support(db, id);
    if (!row || row.org_id !== orgId) throw notFound('The support request');
    return row;
  }

  async function staffRequest(actor: Actor, id: string, ctx: RequestContext): Promise<SupportRow> {
    const row = await accessStore.support(db, id);
    if (!row) throw notFound('The support request');
    // An appeal has no grant: it is about the organisation's standing, answered by those who review it.
    if (row.kind === 'appeal') {
      if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => APPEAL_READERS.includes(r)))
        throw notFound('The support request');
      return row;
    }
    await deps.grants.loadForStaff(actor, row.grant_id ?? '', ctx).catch(() => {
      throw notFound('The support request');
    });
    return row;
  }

  /** Ends the request and its grant together. */
  async function close(actor: Actor, row: SupportRow, ctx: RequestContext): Promise<SupportView> {
    if (row.status === 'closed') return view(row, false);
    const finish = async (trx: Executor) => {
      await accessStore.updateSupport(trx, row.id, {
        status: 'closed',
        closed_at: clock.iso(),
        closed_by: actor.userId,
      });
      await deps.audit.record(
        trx,
        {
          action: 'support.closed',
          orgId: row.org_id,
          actor: auditActor(actor),
          target: { type: 'support_request', id: row.id },
          details: { grant: row.grant_id },
        },
        ctx,
      );
    };
    if (row.grant_id)
      await deps.grants.revokeGrant({
        actor,
        grantId: row.grant_id,
        ctx,
        orgId: row.org_id,
        reason: 'support_closed',
        also: finish,
      });
    else await db.transaction().execute(finish);
    return view((await accessStore.support(db, row.id))!, false);
  }

  return {
    /**
     * A member's appeal against a suspension, written in the caller's transaction: a request with no servers and
     * no grant (staff need none to read it), answered by security or admin staff.
     */
    async openAppeal(
      exec: Executor,
      input: { orgId: string; openedBy: string; subject: string; message: string },
    ): Promise<string> {
      const row: SupportRow = {
        id: newId('sup', clock.nowMs()),
        org_id: input.orgId,
        kind: 'appeal',
        subject: input.subject,
        status: 'open',
        opened_by: input.openedBy,
        staff_id: null,
        server_ids: '[]',
        duration_minutes: 0,
        grant_id: null,
        created_at: clock.iso(),
        closed_at: null,
        closed_by: null,
      };
      const author: Actor = {
        userId: input.openedBy,
        kind: 'customer',
        staffRoles: [],
        via: 'session',
        credentialId: '',
        needsTotpEnrolment: false,
      };
      await accessStore.insertSupport(exec, row);
      await deps.audit.record(exec, {
        action: 'support.opened',
        orgId: input.orgId,
        actor: auditActor(author),
        target: { type: 'support_request', id: row.id },
        details: { kind: 'appeal' },
      });
      await addMessage(exec, row, author, input.message, {});
      return row.id;
    },
    /** A customer opens a request (support or initial setup); it creates the grant staff will work under. */
    async openSupportRequest(
      actor: Actor,
      orgId: string,
      input: {
        kind: SupportRow['kind'];
        subject: string;
        message: string;
        serverIds: readonly string[];
        durationMinutes: number;
        actions?: readonly GrantAction[];
      },
      ctx: RequestContext,
    ): Promise<SupportView> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      if (input.serverIds.length === 0)
        throw invalidInput('Name the servers staff may work on.', { field: 'serverIds' });
      if (input.durationMinutes < 5 || input.durationMinutes > MAX_GRANT_MINUTES)
        throw invalidInput(`durationMinutes must be from 5 to ${MAX_GRANT_MINUTES}.`, { field: 'durationMinutes' });
      const t = clock.nowMs();
      const row: SupportRow = {
        id: newId('sup', t),
        org_id: orgId,
        kind: input.kind,
        subject: input.subject,
        status: 'open',
        opened_by: actor.userId,
        staff_id: null,
        server_ids: JSON.stringify([...new Set(input.serverIds)]),
        duration_minutes: input.durationMinutes,
        grant_id: null,
        created_at: clock.iso(),
        closed_at: null,
        closed_by: null,
      };
      await deps.grants.checkScope(orgId, { serverIds: input.serverIds, accountIds: [] });
      const plan = await deps.mail.prepare(orgId, actor.userId, null);
      await db.transaction().execute(async (trx) => {
        await accessStore.insertSupport(trx, row);
        await deps.audit.record(
          trx,
          {
            action: 'support.opened',
            orgId,
            actor: auditActor(actor),
            target: { type: 'support_request', id: row.id },
            details: { kind: row.kind, servers: JSON.parse(row.server_ids), durationMinutes: row.duration_minutes },
          },
          ctx,
        );
        await addMessage(trx, row, actor, input.message, ctx);
        const grant = await deps.grants.insertRequested({
          trx,
          actor,
          orgId,
          input: {
            reason: input.kind === 'initial_setup' ? 'initial_setup' : 'support_request',
            justification: `${input.kind === 'initial_setup' ? 'Initial setup' : 'Support request'}: ${input.subject}`,
            supportRequestId: row.id,
            serverIds: input.serverIds,
            durationMinutes: input.durationMinutes,
            ...(input.actions ? { actions: input.actions } : {}),
          },
          plan,
          ctx,
        });
        await accessStore.updateSupport(trx, row.id, { grant_id: grant.id });
        row.grant_id = grant.id;
      });
      return view(row, true);
    },
    async listForOrg(actor: Actor, orgId: string, limit: number, ctx: RequestContext): Promise<SupportView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return views(await accessStore.supportOfOrg(db, orgId, limit));
    },
    async getForOrg(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<SupportView> {
      return view(await customerRequest(actor, orgId, id, ctx), true);
    },
    async replyAsCustomer(
      actor: Actor,
      orgId: string,
      id: string,
      body: string,
      ctx: RequestContext,
    ): Promise<SupportView> {
      const row = await customerRequest(actor, orgId, id, ctx);
      if (row.status !== 'open') throw new AppError('STEWARD_CONFLICT', 'This request is closed; open a new one.');
      await db.transaction().execute((trx) => addMessage(trx, row, actor, body, ctx));
      return view(row, true);
    },
    closeAsCustomer: async (actor: Actor, orgId: string, id: string, ctx: RequestContext) =>
      close(actor, await customerRequest(actor, orgId, id, ctx), ctx),

    /** Staff: the open requests waiting for someone, and the ones they took. */
    async queue(actor: Actor, status: 'open' | 'closed', limit: number): Promise<SupportView[]> {
      if (actor.kind !== 'staff') throw notFound('The support queue');
      const rows = (await accessStore.supportQueue(db, status, limit)).filter(
        (r) => r.staff_id === null || r.staff_id === actor.userId,
      );
      return views(rows);
    },
    /** A staff member takes the request: its grant binds to them and its window starts. */
    async take(actor: Actor, id: string, ctx: RequestContext): Promise<SupportView> {
      const row = await accessStore.support(db, id);
      if (row?.kind === 'appeal') {
        await staffRequest(actor, id, ctx);
        if (row.status !== 'open') throw new AppError('STEWARD_CONFLICT', 'This request is closed.');
        if (row.staff_id !== null && row.staff_id !== actor.userId)
          throw new AppError('STEWARD_CONFLICT', 'Another staff member took this appeal.');
        await accessStore.updateSupport(db, row.id, { staff_id: actor.userId });
        return view((await accessStore.support(db, id))!, true);
      }
      if (!row || !row.grant_id || actor.kind !== 'staff') throw notFound('The support request');
      if (row.status !== 'open') throw new AppError('STEWARD_CONFLICT', 'This request is closed.');
      await deps.grants.takeGrant(actor, row.grant_id, ctx, async (trx) => {
        await accessStore.updateSupport(trx, row.id, { staff_id: actor.userId });
      });
      return view((await accessStore.support(db, id))!, true);
    },
    async getForStaff(actor: Actor, id: string, ctx: RequestContext): Promise<SupportView> {
      const row = await staffRequest(actor, id, ctx);
      if (row.staff_id !== null && row.staff_id !== actor.userId) throw notFound('The support request');
      return view(row, true);
    },
    async replyAsStaff(actor: Actor, id: string, body: string, ctx: RequestContext): Promise<SupportView> {
      const row = await staffRequest(actor, id, ctx);
      if (row.staff_id !== actor.userId)
        throw new AppError('STEWARD_CONFLICT', 'Take the request before replying to it.');
      if (row.status !== 'open') throw new AppError('STEWARD_CONFLICT', 'This request is closed.');
      const plan = await deps.mail.prepare(row.org_id, row.opened_by, null);
      await db.transaction().execute(async (trx) => {
        await addMessage(trx, row, actor, body, ctx);
        await deps.mail.supportMessage(trx, row, 'Steward support', plan);
      });
      return view(row, true);
    },
    async closeAsStaff(actor: Actor, id: string, ctx: RequestContext): Promise<SupportView> {
      const row = await staffRequest(actor, id, ctx);
      if (row.staff_id !== actor.userId) throw notFound('The support request');
      return close(actor, row, ctx);
    },
  };
}

export type SupportService = ReturnType<typeof createSupportService>;
