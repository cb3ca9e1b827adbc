import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, isAppError, notFound } from '../../kernel/errors.js';
import type { Node } from '../../providers/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { userInstruction, type Instruction } from '../instruction.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServersService, ServerView } from '../servers/servers.service.js';
import type { AccountsService } from './accounts.service.js';
import type { DriverFactory, OpenedDriver } from './drivers.js';
import {
  confirmationMatches,
  describeFailure,
  instanceRowFrom,
  instanceView,
  providerHostKeys,
} from './provisioning.rules.js';
import { provisioningStore as store } from './provisioning.store.js';
import type {
  AccountListingResult,
  AccountRow,
  InstanceAction,
  InstanceView,
  StateChangeView,
} from './provisioning.types.js';

export interface InstancesDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'adoptServer' | 'allRows' | 'removeServer'>;
  readonly accounts: Pick<AccountsService, 'requireAccount'>;
  readonly drivers: DriverFactory;
}

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const ACTION_EVENT = {
  start: 'instance.start_requested',
  stop: 'instance.stop_requested',
  reboot: 'instance.reboot_requested',
} as const;

export interface ImportInput {
  readonly name?: string;
  readonly sshUser: string;
  /** Needed when the provider reports no host key: accept the key presented at first contact (shown as unverified). */
  readonly trustFirstContact?: boolean;
}

/**
 * Instances in an organisation's provider accounts: read live from every account (a failing account is
 * reported, not fatal), started, stopped, rebooted, terminated on request, and imported into the servers
 * inventory. Each provider request is made with the person's request as its instruction.
 */
export function createInstancesService(deps: InstancesDeps) {
  const { db, clock } = deps;

  const serverIndex = async (orgId: string) =>
    new Map(
      (await deps.servers.allRows(orgId))
        .filter((s) => s.provider_account_id)
        .map((s) => [`${s.provider_account_id}/${s.provider_node_id}`, { id: s.id, status: s.status }]),
    );

  async function listAccount(account: AccountRow, actor: Actor, ctx: RequestContext): Promise<Node[]> {
    const { driver, opts } = await deps.drivers.open(account, userInstruction(actor.userId, ctx.requestId));
    return driver.listNodes(undefined, opts);
  }

  /** Every instance in every account, one listing per account in parallel; an account that fails shows its last known instances. */
  async function listInstances(
    actor: Actor,
    orgId: string,
    ctx: RequestContext,
  ): Promise<{ instances: InstanceView[]; accounts: AccountListingResult[] }> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const accounts = await store.accounts(db, orgId);
    const listings = await Promise.allSettled(accounts.map((a) => listAccount(a, actor, ctx)));
    const servers = await serverIndex(orgId);
    const cached = await store.instancesOfOrg(db, orgId);
    const now = clock.iso();
    const instances: InstanceView[] = [];
    const results: AccountListingResult[] = [];
    accounts.forEach((account, i) => {
      const listing = listings[i]!;
      const base = { accountId: account.id, name: account.name, provider: account.provider };
      if (listing.status === 'fulfilled') {
        results.push({ ...base, ok: true, error: null });
        for (const node of listing.value)
          instances.push(
            instanceView(instanceRowFrom(node, account, now), account, servers.get(`${account.id}/${node.id}`), true),
          );
      } else {
        results.push({ ...base, ok: false, error: describeFailure(listing.reason) });
        for (const row of cached.filter((c) => c.account_id === account.id && c.gone_at === null))
          instances.push(instanceView(row, account, servers.get(`${account.id}/${row.node_id}`), false));
      }
    });
    return { instances, accounts: results };
  }

  async function open(actor: Actor, orgId: string, accountId: string, nodeId: string, ctx: RequestContext) {
    const account = await deps.accounts.requireAccount(actor, orgId, accountId, ctx);
    if (!NODE_ID.test(nodeId))
      throw invalidInput('The instance id is not one the provider uses.', { field: 'instanceId' });
    return { account, ...(await deps.drivers.open(account, userInstruction(actor.userId, ctx.requestId))) };
  }

  async function recordOutcome(input: {
    readonly actor: Actor;
    readonly account: AccountRow;
    readonly nodeId: string;
    readonly action: Parameters<AuditService['record']>[1]['action'];
    readonly err?: unknown;
    readonly details: Record<string, unknown>;
    readonly ctx: RequestContext;
  }) {
    const { actor, account, nodeId, action, err, details, ctx } = input;
    await deps.audit.recordAlone(
      {
        action,
        orgId: account.org_id,
        actor: auditActor(actor),
        target: { type: 'instance', id: `${account.id}/${nodeId}` },
        result: err === undefined ? 'ok' : 'failed',
        details: { ...details, ...(err === undefined ? {} : { code: describeFailure(err).code }) },
      },
      ctx,
    );
  }

  /** Start, stop or reboot: the provider is asked at once; the new state shows in the next listing. */
  async function changeInstance(input: {
    readonly actor: Actor;
    readonly orgId: string;
    readonly accountId: string;
    readonly nodeId: string;
    readonly action: InstanceAction;
    readonly ctx: RequestContext;
  }): Promise<StateChangeView> {
    const { actor, orgId, accountId, nodeId, action, ctx } = input;
    const { account, driver, opts } = await open(actor, orgId, accountId, nodeId, ctx);
    return applyChange({ actor, account, driver, opts, nodeId, action, ctx });
  }

  async function applyChange(input: {
    readonly actor: Actor;
    readonly account: AccountRow;
    readonly driver: OpenedDriver['driver'];
    readonly opts: OpenedDriver['opts'];
    readonly nodeId: string;
    readonly action: InstanceAction;
    readonly ctx: RequestContext;
  }): Promise<StateChangeView> {
    const { actor, account, driver, opts, nodeId, action, ctx } = input;
    const accountId = account.id;
    try {
      let view: StateChangeView;
      if (action === 'reboot') {
        await driver.rebootNode(nodeId, opts);
        view = { accountId, instanceId: nodeId, previous: 'running', current: 'running' };
      } else {
        const change = action === 'start' ? await driver.startNode(nodeId, opts) : await driver.stopNode(nodeId, opts);
        view = { accountId, instanceId: nodeId, previous: change.previous ?? null, current: change.current };
      }
      await recordOutcome({
        actor,
        account,
        nodeId,
        action: ACTION_EVENT[action],
        details: { from: view.previous, to: view.current },
        ctx,
      });
      return view;
    } catch (err) {
      if (isAppError(err))
        await recordOutcome({ actor, account, nodeId, action: ACTION_EVENT[action], err, details: {}, ctx });
      throw err;
    }
  }

  // Staff entry point: core/access has checked the staff member's grant and passes its instruction
  /** Start, stop or reboot for a staff member under a grant (no membership check: the caller authorised it). */
  async function changeInstanceUnderGrant(input: {
    readonly actor: Actor;
    readonly orgId: string;
    readonly accountId: string;
    readonly nodeId: string;
    readonly action: InstanceAction;
    readonly instruction: Instruction;
    readonly ctx: RequestContext;
  }): Promise<StateChangeView> {
    const { actor, orgId, accountId, nodeId, action, instruction, ctx } = input;
    const account = await store.account(db, orgId, accountId);
    if (!account) throw notFound('The provider account');
    if (!NODE_ID.test(nodeId))
      throw invalidInput('The instance id is not one the provider uses.', { field: 'instanceId' });
    const { driver, opts } = await deps.drivers.open(account, instruction);
    return applyChange({ actor, account, driver, opts, nodeId, action, ctx });
  }
  /**
   * The instances in the accounts a staff grant covers (no membership check: core/access authorised it), listed
   * live with the grant's instruction so the provider calls are in the customer's ledger; an account that fails shows
   * its last known instances.
   */
  async function instancesUnderGrant(
    orgId: string,
    accountIds: readonly string[],
    instruction: Instruction,
  ): Promise<InstanceView[]> {
    const accounts = (await store.accounts(db, orgId)).filter((a) => accountIds.includes(a.id));
    const listings = await Promise.allSettled(
      accounts.map(async (a) => {
        const { driver, opts } = await deps.drivers.open(a, instruction);
        return driver.listNodes(undefined, opts);
      }),
    );
    const servers = await serverIndex(orgId);
    const cached = await store.instancesOfOrg(db, orgId);
    const now = clock.iso();
    return accounts.flatMap((account, i) => {
      const listing = listings[i]!;
      return listing.status === 'fulfilled'
        ? listing.value.map((node) =>
            instanceView(instanceRowFrom(node, account, now), account, servers.get(`${account.id}/${node.id}`), true),
          )
        : cached
            .filter((c) => c.account_id === account.id && c.gone_at === null)
            .map((row) => instanceView(row, account, servers.get(`${account.id}/${row.node_id}`), false));
    });
  }

  const accountExists = async (orgId: string, accountId: string): Promise<boolean> =>
    (await store.account(db, orgId, accountId)) !== undefined;

  /**
   * Terminate: irreversible, so the request must name the instance (its id or its name). A server Steward kept
   * for it is forgotten too, since the host is gone.
   */
  async function terminateInstance(input: {
    readonly actor: Actor;
    readonly orgId: string;
    readonly accountId: string;
    readonly nodeId: string;
    readonly confirm: string;
    readonly ctx: RequestContext;
  }): Promise<StateChangeView> {
    const { actor, orgId, accountId, nodeId, confirm, ctx } = input;
    const { account, driver, opts } = await open(actor, orgId, accountId, nodeId, ctx);
    const node = confirm === nodeId ? { id: nodeId, name: '' } : await driver.getNode(nodeId, opts);
    if (!confirmationMatches(confirm, node)) {
      throw new AppError(
        'STEWARD_CONFIRMATION_REQUIRED',
        `Terminating destroys the instance and its disks. Set confirm to its id (${nodeId})${node.name ? ` or its name (${node.name})` : ''} to go ahead.`,
        { field: 'confirm' },
      );
    }
    let change;
    try {
      change = await driver.destroyNode(nodeId, opts);
    } catch (err) {
      if (isAppError(err))
        await recordOutcome({ actor, account, nodeId, action: 'instance.terminate_requested', err, details: {}, ctx });
      throw err;
    }
    const server = (await deps.servers.allRows(orgId)).find(
      (s) => s.provider_account_id === accountId && s.provider_node_id === nodeId,
    );
    await recordOutcome({
      actor,
      account,
      nodeId,
      action: 'instance.terminate_requested',
      details: { from: change.previous ?? null, to: change.current, server: server?.id ?? null },
      ctx,
    });
    if (server) await deps.servers.removeServer(actor, orgId, server.id, { force: true }, ctx);
    return { accountId, instanceId: nodeId, previous: change.previous ?? null, current: change.current };
  }

  /**
   * Adds an instance already in the account to the servers inventory. Steward logs in with the organisation's
   * key, so the instance must accept it (launched with the key pair Steward imported, or the key added by hand).
   * The host key comes from the provider when it reports one; otherwise the person must choose explicitly to
   * trust the key presented at first contact.
   */
  async function importInstance(args: {
    readonly actor: Actor;
    readonly orgId: string;
    readonly accountId: string;
    readonly nodeId: string;
    readonly input: ImportInput;
    readonly ctx: RequestContext;
  }): Promise<ServerView> {
    const { actor, orgId, accountId, nodeId, input, ctx } = args;
    const { account, driver, opts } = await open(actor, orgId, accountId, nodeId, ctx);
    const existing = (await deps.servers.allRows(orgId)).find(
      (s) => s.provider_account_id === accountId && s.provider_node_id === nodeId,
    );
    if (existing)
      throw new AppError(
        'STEWARD_CONFLICT',
        `This instance is already in the inventory as ${existing.name} (${existing.id}).`,
      );
    const node = await driver.getNode(nodeId, opts);
    const address = node.publicIps[0] ?? node.privateIps[0];
    if (node.state !== 'running' || address === undefined)
      throw new AppError(
        'STEWARD_CONFLICT',
        `The instance is ${node.state}${address ? '' : ' without an address'}; start it first, then import it.`,
      );
    const hostKeys = providerHostKeys(node);
    if (hostKeys.length === 0 && input.trustFirstContact !== true) {
      throw invalidInput(
        'The provider does not report this instance’s SSH host key. Set trustFirstContact to accept the key it presents at first contact (it is shown as unverified until you compare it on the server with `ssh-keygen -lf`).',
        { field: 'trustFirstContact' },
      );
    }
    const instruction = userInstruction(actor.userId, ctx.requestId);
    const server = await deps.servers.adoptServer(
      {
        orgId,
        name: input.name ?? (node.name || node.id),
        address,
        port: 22,
        username: input.sshUser,
        providerAccountId: accountId,
        providerNodeId: nodeId,
        ...(hostKeys.length > 0 ? { hostKeyFingerprints: hostKeys } : {}),
      },
      instruction,
      ctx,
    );
    await db.transaction().execute(async (trx) => {
      await store.saveInstance(trx, instanceRowFrom(node, account, clock.iso()));
      await deps.audit.record(
        trx,
        {
          action: 'instance.imported',
          orgId,
          actor: auditActor(actor),
          target: { type: 'instance', id: `${accountId}/${nodeId}` },
          details: { server: server.id, hostKey: hostKeys.length > 0 ? 'provider' : 'first_contact' },
        },
        ctx,
      );
    });
    return server;
  }

  return {
    listInstances,
    changeInstance,
    terminateInstance,
    importInstance,
    changeInstanceUnderGrant,
    instancesUnderGrant,
    accountExists,
  };
}

export type InstancesService = ReturnType<typeof createInstancesService>;
