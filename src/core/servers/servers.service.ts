import type { Db } from '../../db/database.js';
import { normaliseAddress, type AddressPolicy } from '../../kernel/addresses.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, isAppError, notFound, publicMessage } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Secret } from '../../kernel/secret.js';
import { assertValidHostname, assertValidUnixUser, generateEd25519KeyPair, runSteps } from '../../remote/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { instructionFromPayload, instructionPayload, userInstruction, type Instruction } from '../instruction.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { Vault } from '../vault/vault.service.js';
import type { HookRunner } from '../hooks.js';
import type { ServerGateway } from './gateway.js';
import { installKeySteps, removeKeySteps } from './key-steps.js';
import { serversStore, type ServerRow } from './servers.store.js';

export interface ServersDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly alerts: Pick<AlertsService, 'resolve'>;
  readonly queue: Queue;
  readonly gateway: () => ServerGateway;
  /** STEWARD_SERVER_ADDRESSES: addresses are refused here when typed, and checked again on every connection. */
  readonly addressPolicy: AddressPolicy;
  /** Runs `serverReady` when a server finishes enrolment (discovery discovers it at once). */
  readonly hooks: HookRunner;
}

export interface NewServer {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly username: string;
  readonly password?: Secret<string>;
  readonly privateKey?: Secret<string>;
  /** The host key's SHA256 fingerprint, checked at first contact. */
  readonly hostKeyFingerprint?: string;
  /** Or an OpenSSH public-key line of the host key. */
  readonly hostKey?: string;
  /** Without a fingerprint or key: accept the key presented at first contact (shown as unverified). */
  readonly trustFirstContact?: boolean;
}

export interface ServerView {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly username: string;
  readonly status: ServerRow['status'];
  readonly statusReason: string | null;
  readonly hostKey: {
    readonly fingerprint: string;
    readonly source: string | null;
    readonly pinnedAt: string | null;
  } | null;
  readonly presentedFingerprint: string | null;
  readonly login: ServerRow['login'];
  readonly provider: { readonly accountId: string; readonly nodeId: string | null } | null;
  readonly createdAt: string;
  readonly lastContactAt: string | null;
}

export const serverView = (r: ServerRow): ServerView => ({
  id: r.id,
  name: r.name,
  address: r.address,
  port: r.port,
  username: r.username,
  status: r.status,
  statusReason: r.status_reason,
  hostKey: r.host_key_fingerprint
    ? { fingerprint: r.host_key_fingerprint, source: r.host_key_source, pinnedAt: r.host_key_pinned_at }
    : null,
  presentedFingerprint: r.presented_fingerprint,
  login: r.login,
  provider: r.provider_account_id ? { accountId: r.provider_account_id, nodeId: r.provider_node_id } : null,
  createdAt: r.created_at,
  lastContactAt: r.last_contact_at,
});

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
const ENROL_ATTEMPTS = 4;

/** Codes after which trying again cannot help: the person must fix something first. */
const PERMANENT = new Set([
  'STEWARD_SSH_AUTH_FAILED',
  'STEWARD_SSH_HOST_KEY_CHANGED',
  'STEWARD_SSH_HOST_KEY_UNKNOWN',
  'STEWARD_CONFLICT',
]);

/**
 * The servers inventory. Adding a server seals the credential given, then (in a job) logs in with it once to
 * install the organisation's own key, checks that key works, and forgets the given credential. Removing takes
 * Steward's key off the server before the record goes.
 */
export function createServersService(deps: ServersDeps) {
  const { db, clock } = deps;

  async function requireServer(
    actor: Actor,
    orgId: string,
    id: string,
    ctx: RequestContext,
    role: 'member' | 'owner' = 'member',
  ): Promise<ServerRow> {
    await deps.orgs.requireMember(actor, orgId, role, ctx);
    const row = await serversStore.byId(db, orgId, id);
    if (!row) throw notFound('The server');
    return row;
  }

  /**
   * A typed address the policy refuses, or a name that can only mean this machine, is refused at once: that tells
   * the customer nothing they did not type. Other names are resolved and checked when Steward connects.
   */
  function assertAddressAllowed(address: string): void {
    const ip = normaliseAddress(address);
    const local = /^localhost$|\.localhost$/i.test(address);
    if (ip === undefined && !local) return;
    if (ip !== undefined && deps.addressPolicy.allows(ip)) return;
    throw new AppError(
      'STEWARD_SERVER_ADDRESS_NOT_ALLOWED',
      `Steward does not connect to ${address}: this operator allows servers at ${deps.addressPolicy.describe} addresses only (not this machine, link-local or cloud metadata addresses).`,
      { field: 'address' },
    );
  }

  async function addServer(actor: Actor, orgId: string, input: NewServer, ctx: RequestContext): Promise<ServerView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    assertValidHostname(input.address);
    assertAddressAllowed(input.address);
    assertValidUnixUser(input.username);
    if ((input.password ? 1 : 0) + (input.privateKey ? 1 : 0) !== 1)
      throw invalidInput('Give exactly one of password or privateKey for Steward’s first login.');
    if (input.hostKeyFingerprint && !FINGERPRINT.test(input.hostKeyFingerprint))
      throw invalidInput(
        'hostKeyFingerprint must look like SHA256: followed by 43 base64 characters (as `ssh-keygen -lf` prints it).',
        { field: 'hostKeyFingerprint' },
      );
    if (!input.hostKeyFingerprint && !input.hostKey && !input.trustFirstContact) {
      throw invalidInput(
        'Say how to recognise the server: give hostKeyFingerprint (run `ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` on it), or set trustFirstContact to accept the key it presents the first time.',
        { field: 'hostKeyFingerprint' },
      );
    }
    if (await serversStore.findEndpoint(db, orgId, input.address, input.port, input.username))
      throw new AppError('STEWARD_CONFLICT', 'This organisation already has a server at that address, port and user.');
    const id = newId('srv', clock.nowMs());
    const now = clock.iso();
    const secret = (input.password ?? input.privateKey)!;
    const row: ServerRow = {
      id,
      org_id: orgId,
      name: input.name,
      address: input.address,
      port: input.port,
      username: input.username,
      status: 'enrolling',
      status_reason: null,
      host_key: input.hostKey?.trim() ?? null,
      host_key_fingerprint: input.hostKeyFingerprint ?? null,
      host_key_source: input.hostKey || input.hostKeyFingerprint ? 'provided' : null,
      host_key_pinned_at: input.hostKey || input.hostKeyFingerprint ? now : null,
      presented_fingerprint: null,
      login: 'bootstrap',
      bootstrap_kind: input.password ? 'password' : 'key',
      bootstrap_sealed: await deps.vault.seal(
        { scope: orgId, table: 'servers', column: 'bootstrap_sealed', row: id },
        secret,
      ),
      provider_account_id: null,
      provider_node_id: null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
      last_contact_at: null,
    };
    await db.transaction().execute(async (trx) => {
      await serversStore.insert(trx, row);
      await deps.queue.enqueue(trx, {
        queue: 'servers.enrol',
        orgId,
        payload: { serverId: id, ...instructionPayload(userInstruction(actor.userId, ctx.requestId)) },
        maxAttempts: ENROL_ATTEMPTS,
      });
      await deps.audit.record(
        trx,
        {
          action: 'server.added',
          orgId,
          actor: auditActor(actor),
          target: { type: 'server', id },
          details: {
            name: input.name,
            address: input.address,
            port: input.port,
            username: input.username,
            login: row.bootstrap_kind,
            hostKey: row.host_key_source ?? 'first_contact',
          },
        },
        ctx,
      );
    });
    return serverView(row);
  }

  /**
   * A server Steward launched or imported from a provider account: the organisation's key was injected at
   * launch, so there is no first-login credential; enrolment only proves the key works (and pins the host key).
   */
  async function adoptServer(
    input: {
      orgId: string;
      name: string;
      address: string;
      port: number;
      username: string;
      providerAccountId: string;
      providerNodeId: string;
      hostKeyFingerprints?: readonly string[];
      /** The whole key, read through the provider (a launched instance's console) before any login. */
      hostKey?: { publicKey: string; fingerprint: string; source: 'provider_console' };
    },
    instruction: Instruction,
    ctx: RequestContext,
  ): Promise<ServerView> {
    assertValidHostname(input.address);
    assertValidUnixUser(input.username);
    const id = newId('srv', clock.nowMs());
    const now = clock.iso();
    const fingerprint = input.hostKey?.fingerprint ?? input.hostKeyFingerprints?.[0] ?? null;
    const source = input.hostKey?.source ?? (fingerprint ? 'provider' : null);
    const row: ServerRow = {
      id,
      org_id: input.orgId,
      name: input.name,
      address: input.address,
      port: input.port,
      username: input.username,
      status: 'enrolling',
      status_reason: null,
      host_key: input.hostKey?.publicKey ?? null,
      host_key_fingerprint: fingerprint,
      host_key_source: source,
      host_key_pinned_at: fingerprint ? now : null,
      presented_fingerprint: null,
      login: 'org_key',
      bootstrap_kind: null,
      bootstrap_sealed: null,
      provider_account_id: input.providerAccountId,
      provider_node_id: input.providerNodeId,
      created_by: instruction.actorId ?? 'system',
      created_at: now,
      updated_at: now,
      last_contact_at: null,
    };
    await db.transaction().execute(async (trx) => {
      await serversStore.insert(trx, row);
      await deps.queue.enqueue(trx, {
        queue: 'servers.enrol',
        orgId: input.orgId,
        payload: { serverId: id, ...instructionPayload(instruction) },
        maxAttempts: ENROL_ATTEMPTS,
      });
      await deps.audit.record(
        trx,
        {
          action: 'server.added',
          orgId: input.orgId,
          actor: instruction.actorId ? { type: 'user', id: instruction.actorId } : { type: 'system' },
          target: { type: 'server', id },
          details: {
            name: input.name,
            address: input.address,
            provider: input.providerAccountId,
            node: input.providerNodeId,
            hostKey: row.host_key_source ?? 'first_contact',
          },
        },
        ctx,
      );
    });
    return serverView(row);
  }

  /** Job: first login with the given credential, install the organisation's key, prove it, forget the credential. */
  async function enrol(job: JobContext, orgKey: (orgId: string) => Promise<{ publicKey: string }>): Promise<void> {
    const server = await serversStore.byIdAnyOrg(db, String(job.payload.serverId));
    if (!server || server.org_id !== job.orgId || server.status !== 'enrolling') return;
    const instruction = instructionFromPayload(job.payload);
    try {
      const gw = deps.gateway();
      const firstContact = server.host_key_source === null;
      if (server.login === 'bootstrap') {
        const { publicKey } = await orgKey(server.org_id);
        const result = await gw.withServer(
          server,
          instruction,
          'enrol',
          (session) => runSteps(installKeySteps(publicKey), session),
          { useBootstrap: true, allowFirstContact: firstContact },
        );
        if (!result.ok) throw result.outcomes.at(-1)?.error ?? new Error('installing the key failed');
      }
      const pinned = (await serversStore.byIdAnyOrg(db, server.id))!;
      await gw.withServer(pinned, instruction, 'enrol.verify', (session) => session.exec(['true']), {
        allowFirstContact: pinned.host_key_source === null,
      });
      await db.transaction().execute(async (trx) => {
        await serversStore.update(trx, server.id, {
          status: 'ready',
          status_reason: null,
          login: 'org_key',
          bootstrap_sealed: null,
          bootstrap_kind: null,
          updated_at: clock.iso(),
        });
        await deps.audit.record(trx, {
          action: 'server.enrolled',
          orgId: server.org_id,
          actor: { type: 'system' },
          target: { type: 'server', id: server.id },
          details: { hostKey: pinned.host_key_fingerprint },
        });
      });
      await deps.hooks.run('serverReady', (await serversStore.byIdAnyOrg(db, server.id))!, instruction);
    } catch (err) {
      const code = isAppError(err) ? err.code : 'STEWARD_INTERNAL';
      const final = PERMANENT.has(code) || job.attempt >= ENROL_ATTEMPTS;
      const current = await serversStore.byIdAnyOrg(db, server.id);
      if (final && current && current.status === 'enrolling') {
        await serversStore.update(db, server.id, {
          status: code === 'STEWARD_SSH_UNREACHABLE' || code === 'STEWARD_SSH_TIMEOUT' ? 'unreachable' : 'enrol_failed',
          status_reason: publicMessage(err).slice(0, 300),
          updated_at: clock.iso(),
        });
        await deps.audit.recordAlone({
          action: 'server.enrol_failed',
          orgId: server.org_id,
          actor: { type: 'system' },
          target: { type: 'server', id: server.id },
          result: 'failed',
          details: { code },
        });
      }
      if (!final) throw err;
    }
  }

  async function removeServer(
    actor: Actor,
    orgId: string,
    id: string,
    input: { force: boolean },
    ctx: RequestContext,
  ): Promise<ServerView> {
    const row = await requireServer(actor, orgId, id, ctx);
    if (input.force || row.login === 'bootstrap' || row.status === 'blocked') {
      // Steward's key was never installed (or the host cannot be trusted): nothing to take off the server.
      await db.transaction().execute(async (trx) => {
        await serversStore.remove(trx, id);
        await deps.audit.record(
          trx,
          {
            action: 'server.removed',
            orgId,
            actor: auditActor(actor),
            target: { type: 'server', id },
            details: { name: row.name, keyRemoved: false, force: input.force },
          },
          ctx,
        );
      });
      return { ...serverView(row), status: 'removing' };
    }
    await db.transaction().execute(async (trx) => {
      await serversStore.update(trx, id, { status: 'removing', updated_at: clock.iso() });
      await deps.queue.enqueue(trx, {
        queue: 'servers.release',
        orgId,
        payload: { serverId: id, ...instructionPayload(userInstruction(actor.userId, ctx.requestId)) },
        maxAttempts: 3,
      });
      await deps.audit.record(
        trx,
        { action: 'server.remove_requested', orgId, actor: auditActor(actor), target: { type: 'server', id } },
        ctx,
      );
    });
    return { ...serverView(row), status: 'removing' };
  }

  /** Job: take Steward's key off the server, then delete the record. */
  async function release(job: JobContext, orgKey: (orgId: string) => Promise<{ publicKey: string }>): Promise<void> {
    const server = await serversStore.byIdAnyOrg(db, String(job.payload.serverId));
    if (!server || server.org_id !== job.orgId || server.status !== 'removing') return;
    const instruction = instructionFromPayload(job.payload);
    deps.gateway().releaseKept(server.id); // monitoring: its kept sampling login ends with the server
    try {
      const { publicKey } = await orgKey(server.org_id);
      const result = await deps
        .gateway()
        .withServer(server, instruction, 'release', (session) => runSteps(removeKeySteps(publicKey), session));
      if (!result.ok) throw result.outcomes.at(-1)?.error ?? new Error('removing the key failed');
      await db.transaction().execute(async (trx) => {
        await serversStore.remove(trx, server.id);
        await deps.audit.record(trx, {
          action: 'server.removed',
          orgId: server.org_id,
          actor: { type: 'system' },
          target: { type: 'server', id: server.id },
          details: { name: server.name, keyRemoved: true },
        });
      });
    } catch (err) {
      if (job.attempt < 3 && !(isAppError(err) && PERMANENT.has(err.code))) throw err;
      await serversStore.update(db, server.id, {
        status: 'remove_failed',
        status_reason: `Steward could not take its key off the server: ${publicMessage(err).slice(0, 250)} Remove it with force to forget the server anyway.`,
        updated_at: clock.iso(),
      });
    }
  }

  /** An owner confirms the key the server now presents (checked out of band); the server is unblocked. */
  async function trustPresentedKey(
    actor: Actor,
    orgId: string,
    id: string,
    fingerprint: string,
    ctx: RequestContext,
  ): Promise<ServerView> {
    const row = await requireServer(actor, orgId, id, ctx, 'owner');
    if (row.status !== 'blocked' || !row.presented_fingerprint)
      throw new AppError('STEWARD_CONFLICT', 'This server is not blocked on a host key change.');
    if (fingerprint !== row.presented_fingerprint)
      throw invalidInput(
        'That fingerprint is not the one the server presented; compare it with `ssh-keygen -lf` on the server itself.',
        { field: 'fingerprint' },
      );
    await db.transaction().execute(async (trx) => {
      await serversStore.update(trx, id, {
        status: 'ready',
        status_reason: null,
        host_key: null,
        host_key_fingerprint: fingerprint,
        host_key_source: 'provided',
        host_key_pinned_at: clock.iso(),
        presented_fingerprint: null,
        updated_at: clock.iso(),
      });
      await deps.alerts.resolve(orgId, id, 'host_key_changed', trx);
      await deps.audit.record(
        trx,
        {
          action: 'server.host_key_repinned',
          orgId,
          actor: auditActor(actor),
          target: { type: 'server', id },
          details: { from: row.host_key_fingerprint, to: fingerprint },
        },
        ctx,
      );
    });
    return serverView((await serversStore.byId(db, orgId, id))!);
  }

  /**
   * Keeps a provider-backed server in step with its instance (reported by the provider status sync): a stopped or
   * terminated instance makes the server unreachable, a running one ready again, and a new public address is
   * taken over (the pinned host key still decides whether it is the same machine).
   */
  async function followInstance(change: {
    orgId: string;
    serverId: string;
    accountId: string;
    nodeId: string;
    state: string;
    publicIp: string | null;
  }): Promise<void> {
    const row = await serversStore.byId(db, change.orgId, change.serverId);
    if (!row || row.provider_account_id !== change.accountId || row.provider_node_id !== change.nodeId) return;
    if (row.status === 'blocked' || row.status === 'removing' || row.status === 'enrolling') return;
    const patch: Partial<ServerRow> = {};
    if (change.state === 'running' && row.status === 'unreachable')
      Object.assign(patch, { status: 'ready', status_reason: null });
    if (['stopped', 'stopping', 'terminated'].includes(change.state) && row.status !== 'unreachable')
      Object.assign(patch, { status: 'unreachable', status_reason: `The instance is ${change.state}.` });
    if (change.publicIp && change.publicIp !== row.address) patch.address = change.publicIp;
    if (Object.keys(patch).length === 0) return;
    await db.transaction().execute(async (trx) => {
      await serversStore.update(trx, row.id, { ...patch, updated_at: clock.iso() });
      await deps.audit.record(trx, {
        action: 'server.followed_instance',
        orgId: row.org_id,
        actor: { type: 'system' },
        target: { type: 'server', id: row.id },
        details: { state: change.state, address: patch.address ?? null, status: patch.status ?? row.status },
      });
    });
  }

  return {
    requireServer,
    addServer,
    adoptServer,
    followInstance,
    enrol,
    removeServer,
    release,
    trustPresentedKey,
    /** Server records for other modules' jobs (tasks, discovery), which then use the gateway. */
    rowsFor: (orgId: string, ids: readonly string[]) => serversStore.byIds(db, orgId, ids),
    allRows: (orgId: string) => serversStore.list(db, orgId),
    rowById: (id: string) => serversStore.byIdAnyOrg(db, id),
    rowsById: (ids: readonly string[]) => serversStore.byIdsAnyOrg(db, ids),
    async listServers(actor: Actor, orgId: string, ctx: RequestContext): Promise<ServerView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await serversStore.list(db, orgId)).map(serverView);
    },
    async getServer(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<ServerView> {
      return serverView(await requireServer(actor, orgId, id, ctx));
    },
  };
}

export type ServersService = ReturnType<typeof createServersService>;
/** A server's record, for modules that run work on servers through the gateway. */
export type ServerRecord = ServerRow;

/** The organisation's own SSH key pair, created on first use; the private half sealed under the organisation. */
export function createOrgKeys(deps: { db: Db; clock: Clock; vault: Pick<Vault, 'seal' | 'openText'> }) {
  async function ensure(orgId: string) {
    let row = await serversStore.orgKey(deps.db, orgId);
    if (!row) {
      const pair = generateEd25519KeyPair(`steward-${orgId}`);
      const sealed = await deps.vault.seal(
        { scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId },
        pair.privateKey,
      );
      await serversStore.insertOrgKey(deps.db, {
        org_id: orgId,
        public_key: pair.publicKey,
        fingerprint: pair.fingerprint,
        private_sealed: sealed,
        created_at: deps.clock.iso(),
      });
      row = (await serversStore.orgKey(deps.db, orgId))!;
    }
    return row;
  }
  return {
    async publicKey(orgId: string): Promise<{ publicKey: string; fingerprint: string }> {
      const row = await ensure(orgId);
      return { publicKey: row.public_key, fingerprint: row.fingerprint };
    },
    async privateKey(orgId: string): Promise<{ privateKey: Secret<string>; fingerprint: string }> {
      const row = await ensure(orgId);
      return {
        privateKey: await deps.vault.openText(
          { scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId },
          row.private_sealed,
        ),
        fingerprint: row.fingerprint,
      };
    },
  };
}

export type OrgKeys = ReturnType<typeof createOrgKeys>;
