import type { Db } from '../../db/database.js';
import { AppError, isAppError, notFound } from '../../kernel/errors.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { CredentialsService } from '../credentials/credentials.service.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import type { Instruction } from '../instruction.js';
import type { ServersService } from '../servers/servers.service.js';
import type { TasksService } from '../tasks/tasks.service.js';
import type { UsersService } from '../users/users.service.js';
import type { Vault } from '../vault/vault.service.js';
import { scopeOf, type GrantRow } from './access.rules.js';
import type { AccessResource, GrantAction } from './access.types.js';
import type { GrantsService } from './grants.service.js';

export type InstanceAction = 'start' | 'stop' | 'reboot';

export interface StaffActionsDeps {
  readonly db: Db;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly vault: Pick<Vault, 'auditHash'>;
  readonly grants: Pick<GrantsService, 'requireActiveGrant' | 'orgOfGrant'>;
  readonly users: Pick<UsersService, 'verifyStepUp'>;
  readonly servers: Pick<ServersService, 'rowById' | 'rowsFor'>;
  readonly tasks: Pick<TasksService, 'startCommand' | 'startRecipe' | 'runUnderGrant'>;
  readonly discovery: Pick<DiscoveryService, 'underGrant'>;
  readonly credentials: Pick<CredentialsService, 'openCredential' | 'getCredential' | 'listUnderGrant'>;
  /** The instances in the given provider accounts of the organisation, listed with the grant's instruction. */
  readonly listInstances: (
    orgId: string,
    accountIds: readonly string[],
    instruction: Instruction,
  ) => Promise<unknown[]>;
  /** Provisioning's start/stop/reboot for a staff member under a grant. */
  readonly changeInstance: (change: GrantedInstanceChange) => Promise<unknown>;
}

/** A start, stop or reboot a staff member's grant allowed, with the grant's instruction. */
export interface GrantedInstanceChange {
  readonly actor: Actor;
  readonly orgId: string;
  readonly accountId: string;
  readonly nodeId: string;
  readonly action: InstanceAction;
  readonly instruction: Instruction;
  readonly ctx: RequestContext;
}

/**
 * What staff do on a customer's resources, each through `requireActiveGrant` first and then the owning module's
 * service with the grant's instruction (so every SSH login and provider call is ledgered under the grant). Each
 * action is also written to the organisation's audit log as `grant.used`, which the customer's timeline shows.
 */
export function createStaffActionsService(deps: StaffActionsDeps) {
  /** A server named by id, as a resource of the organisation it really belongs to (so another tenant's is named so). */
  async function serverResource(grantId: string, serverId: string): Promise<AccessResource> {
    const row = await deps.servers.rowById(serverId);
    return { kind: 'server', orgId: row?.org_id ?? '', serverId, grantId };
  }

  /** The organisation a grant is for, as the resource of actions that name nothing narrower. */
  const orgResource = async (grantId: string): Promise<AccessResource> => ({
    kind: 'org',
    orgId: await deps.grants.orgOfGrant(grantId),
    grantId,
  });

  async function onServer(actor: Actor, grantId: string, serverId: string, action: GrantAction, ctx: RequestContext) {
    return deps.grants.requireActiveGrant(actor, await serverResource(grantId, serverId), action, ctx);
  }

  const used = (
    actor: Actor,
    grant: GrantRow,
    action: GrantAction,
    details: Record<string, unknown>,
    ctx: RequestContext,
  ) =>
    deps.audit.recordAlone(
      {
        action: 'grant.used',
        orgId: grant.org_id,
        actor: auditActor(actor),
        target: { type: 'grant', id: grant.id },
        details: { action, reason: grant.reason, ...details },
      },
      ctx,
    );

  /** One grant must cover every server of a fan-out; the first that it does not refuses the whole run. */
  async function onServers(
    actor: Actor,
    grantId: string,
    serverIds: readonly string[],
    action: GrantAction,
    ctx: RequestContext,
  ) {
    if (serverIds.length === 0)
      throw new AppError('STEWARD_INVALID_INPUT', 'Name the servers (serverIds) to run on.', { field: 'serverIds' });
    let granted: Awaited<ReturnType<typeof onServer>> | undefined;
    for (const id of serverIds) granted = await onServer(actor, grantId, id, action, ctx);
    return granted!;
  }

  async function stepUp(actor: Actor, grant: GrantRow, code: string, what: string, ctx: RequestContext): Promise<void> {
    if (await deps.users.verifyStepUp(actor.userId, code)) return;
    await deps.audit.recordAlone(
      {
        action: 'access.denied',
        orgId: grant.org_id,
        actor: auditActor(actor),
        target: { type: 'grant', id: grant.id },
        result: 'denied',
        details: { reason: 'step_up', what },
      },
      ctx,
    );
    throw new AppError(
      'STEWARD_STEP_UP_REQUIRED',
      'Enter the current one-time code from your authenticator app (each code works once).',
      { field: 'totpCode' },
    );
  }

  return {
    /** The servers a grant covers, for the staff member it is for (names and status only). */
    async serversOf(actor: Actor, grantId: string, ctx: RequestContext) {
      const { grant } = await deps.grants.requireActiveGrant(actor, await orgResource(grantId), 'any', ctx);
      const rows = await deps.servers.rowsFor(grant.org_id, scopeOf(grant).serverIds);
      return rows.map((r) => ({ id: r.id, name: r.name, status: r.status }));
    },

    async runCommand(
      actor: Actor,
      grantId: string,
      input: { serverIds: readonly string[]; argv: readonly string[]; timeoutSeconds?: number },
      ctx: RequestContext,
    ) {
      const { grant, instruction } = await onServers(actor, grantId, input.serverIds, 'tasks', ctx);
      const run = await deps.tasks.startCommand(
        grant.org_id,
        {
          argv: input.argv,
          serverIds: input.serverIds,
          ...(input.timeoutSeconds ? { timeoutSeconds: input.timeoutSeconds } : {}),
        },
        instruction,
        ctx,
      );
      await used(
        actor,
        grant,
        'tasks',
        { kind: 'command', run: run.id, command: input.argv, servers: input.serverIds },
        ctx,
      );
      return run;
    },

    async runRecipe(
      actor: Actor,
      grantId: string,
      input: { serverIds: readonly string[]; recipe: string; params: unknown },
      ctx: RequestContext,
    ) {
      const { grant, instruction } = await onServers(actor, grantId, input.serverIds, 'tasks', ctx);
      const run = await deps.tasks.startRecipe(
        grant.org_id,
        { recipe: input.recipe, params: input.params, serverIds: input.serverIds },
        instruction,
        ctx,
      );
      await used(
        actor,
        grant,
        'tasks',
        { kind: 'recipe', run: run.id, recipe: input.recipe, servers: input.serverIds },
        ctx,
      );
      return run;
    },

    /** A run started under this grant, with its output after `cursor` (only while the grant is active). */
    async runOutput(actor: Actor, grantId: string, runId: string, cursor: Record<string, number>, ctx: RequestContext) {
      const { grant } = await deps.grants.requireActiveGrant(actor, await orgResource(grantId), 'tasks', ctx);
      const out = await deps.tasks.runUnderGrant(grant.org_id, runId, cursor);
      if (out.instruction.type !== 'staff_grant' || out.instruction.id !== grant.id) throw notFound('The task run');
      return out;
    },

    async readFacts(actor: Actor, grantId: string, serverId: string, ctx: RequestContext) {
      const { grant } = await onServer(actor, grantId, serverId, 'read_facts_logs', ctx);
      const facts = await deps.discovery.underGrant.factsFor(grant.org_id, serverId);
      await used(actor, grant, 'read_facts_logs', { kind: 'facts', server: serverId, snapshot: facts.snapshotId }, ctx);
      return facts;
    },

    async listFoundSecrets(actor: Actor, grantId: string, serverId: string, ctx: RequestContext) {
      const { grant } = await onServer(actor, grantId, serverId, 'read_facts_logs', ctx);
      const secrets = await deps.discovery.underGrant.foundSecretsFor(grant.org_id, serverId);
      await used(
        actor,
        grant,
        'read_facts_logs',
        { kind: 'found_secrets', server: serverId, count: secrets.length },
        ctx,
      );
      return secrets;
    },

    /** Reveals a credential found on a server: active grant with reveal_secrets, then a fresh one-time code. */
    async revealFoundSecret(input: {
      readonly actor: Actor;
      readonly grantId: string;
      readonly serverId: string;
      readonly secretId: string;
      readonly totpCode: string;
      readonly ctx: RequestContext;
    }) {
      const { actor, grantId, serverId, secretId, totpCode, ctx } = input;
      const { grant } = await onServer(actor, grantId, serverId, 'reveal_secrets', ctx);
      await stepUp(actor, grant, totpCode, 'found_secret', ctx);
      const { view, value } = await deps.discovery.underGrant.openFoundSecret(grant.org_id, serverId, secretId);
      await deps.audit.recordAlone(
        {
          action: 'secret.revealed',
          orgId: grant.org_id,
          actor: auditActor(actor),
          target: { type: 'discovered_secret', id: secretId },
          details: {
            grant: grant.id,
            reason: grant.reason,
            server: serverId,
            location: view.location,
            key: view.key,
            valueHash: deps.vault.auditHash(value.reveal()),
          },
        },
        ctx,
      );
      return { secret: view, value };
    },

    /** The credentials the organisation stored, by name and hint (never values), for a grant that may reveal them. */
    async credentialsOf(actor: Actor, grantId: string, ctx: RequestContext) {
      const { grant } = await deps.grants.requireActiveGrant(actor, await orgResource(grantId), 'reveal_secrets', ctx);
      return deps.credentials.listUnderGrant(grant.org_id);
    },

    /** The instances in the provider accounts the grant covers, for a grant with provider actions. */
    async instancesOf(actor: Actor, grantId: string, ctx: RequestContext) {
      const { grant, instruction } = await deps.grants.requireActiveGrant(
        actor,
        await orgResource(grantId),
        'provider_actions',
        ctx,
      );
      return deps.listInstances(grant.org_id, scopeOf(grant).accountIds, instruction);
    },

    /** Reveals a credential the organisation stored with Steward; it must belong to the grant's organisation. */
    async revealCredential(actor: Actor, grantId: string, credentialId: string, totpCode: string, ctx: RequestContext) {
      const { grant } = await deps.grants.requireActiveGrant(actor, await orgResource(grantId), 'reveal_secrets', ctx);
      const owned = await deps.credentials.openCredential(grant.org_id, credentialId).catch((err: unknown) => {
        if (isAppError(err) && err.code === 'STEWARD_NOT_FOUND') return undefined;
        throw err;
      });
      if (!owned) {
        await deps.audit.recordAlone(
          {
            action: 'access.denied',
            orgId: grant.org_id,
            actor: auditActor(actor),
            target: { type: 'credential', id: credentialId },
            result: 'denied',
            details: { reason: 'other_org', action: 'reveal_secrets', grant: grant.id },
          },
          ctx,
        );
        throw new AppError('STEWARD_NO_ACTIVE_GRANT', 'That credential is not in the organisation your grant is for.', {
          reason: 'other_org',
        });
      }
      await stepUp(actor, grant, totpCode, 'credential', ctx);
      await deps.audit.recordAlone(
        {
          action: 'secret.revealed',
          orgId: grant.org_id,
          actor: auditActor(actor),
          target: { type: 'credential', id: credentialId },
          details: { grant: grant.id, reason: grant.reason, valueHash: deps.vault.auditHash(owned.reveal()) },
        },
        ctx,
      );
      return { credentialId, value: owned };
    },

    /** Start, stop or reboot an instance in a provider account the grant covers. */
    async providerAction(input: {
      readonly actor: Actor;
      readonly grantId: string;
      readonly accountId: string;
      readonly instanceId: string;
      readonly action: InstanceAction;
      readonly ctx: RequestContext;
    }) {
      const { actor, grantId, accountId, instanceId, action, ctx } = input;
      const { grant, instruction } = await deps.grants.requireActiveGrant(
        actor,
        { kind: 'provider_account', orgId: await deps.grants.orgOfGrant(grantId), accountId, grantId },
        'provider_actions',
        ctx,
      );
      const result = await deps.changeInstance({
        actor,
        orgId: grant.org_id,
        accountId,
        nodeId: instanceId,
        action,
        instruction,
        ctx,
      });
      await used(
        actor,
        grant,
        'provider_actions',
        { kind: 'instance', action, account: accountId, instance: instanceId },
        ctx,
      );
      return result;
    },
  };
}

export type StaffActionsService = ReturnType<typeof createStaffActionsService>;
