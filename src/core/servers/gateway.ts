import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, isAppError } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Secret } from '../../kernel/secret.js';
import {
  createSshExecutor,
  type CreateSshExecutorOptions,
  type ExecutorMetrics,
  type HostKeyChangedError,
  type HostKeyPolicy,
  type RemoteExecutor,
  type RemoteSession,
  type ResidentHandle,
  type ShellHandle,
  type ShellOptions,
  type SshAuth,
  type SshTarget,
  type TargetRef,
} from '../../remote/index.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { HookRunner } from '../hooks.js';
import type { Instruction } from '../instruction.js';
import type { LedgerService } from '../ledger/ledger.service.js';
import type { Vault } from '../vault/vault.service.js';
import { serversStore, type ServerRow } from './servers.store.js';

/** How often a kept login (standing work such as sampling) is checked with a keepalive. */
const KEPT_KEEPALIVE_MS = 60_000;

export interface GatewayDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'openText'>;
  readonly ledger: Pick<LedgerService, 'record'>;
  readonly audit: Pick<AuditService, 'recordAlone'>;
  readonly alerts: Pick<AlertsService, 'raise'>;
  readonly executorOptions: Omit<CreateSshExecutorOptions, 'onLogin' | 'onHostKeyMismatch'>;
  readonly orgKey: (orgId: string) => Promise<{ privateKey: Secret<string>; fingerprint: string }>;
  /** Runs `beforeLogin` before every login (see HookEvents): a handler that throws stops the operation. */
  readonly hooks: HookRunner;
  /** How long a kept login (standing work such as metrics sampling) may sit idle before it is closed. Default 10 min. */
  readonly keptIdleMs?: number;
}

interface OperationContext {
  readonly server: ServerRow;
  readonly instruction: Instruction;
  readonly operation: string;
  readonly credential: 'org_ssh_key' | 'server_bootstrap';
}

export interface WithServerOptions {
  /** Log in with the credential given when the server was added, instead of the organisation's key. */
  readonly useBootstrap?: boolean;
  /** Only for enrolment of a server added with "trust on first contact": pin the key presented now. */
  readonly allowFirstContact?: boolean;
}

/**
 * The one way the core reaches a server over SSH. Each operation gets its own login (a session tag), and each
 * login is written to the credential-use ledger with the operation's instruction before it is used. A host key
 * that changed blocks the server, raises an alert and is audited; nothing runs on it until someone re-verifies.
 */
export function createServerGateway(deps: GatewayDeps) {
  const operations = new Map<string, OperationContext>();

  async function onLogin(ref: TargetRef): Promise<void> {
    const op = ref.session ? operations.get(ref.session) : undefined;
    if (!op) throw new AppError('STEWARD_INTERNAL', 'An SSH login happened outside any recorded operation.');
    await deps.ledger.record({
      orgId: op.server.org_id,
      credential: op.credential,
      credentialId: null,
      target: { type: 'server', id: op.server.id },
      operation: `ssh.login:${op.operation}`,
      instruction: op.instruction,
      outcome: 'ok',
    });
    await serversStore.update(deps.db, op.server.id, { last_contact_at: deps.clock.iso() });
  }

  async function onHostKeyMismatch(error: HostKeyChangedError, ref: TargetRef): Promise<void> {
    const op = ref.session ? operations.get(ref.session) : undefined;
    if (!op) return;
    const presented = error.presented?.fingerprint ?? null;
    const { server } = op;
    await serversStore.update(deps.db, server.id, {
      status: 'blocked',
      status_reason: 'host_key_changed',
      presented_fingerprint: presented,
      updated_at: deps.clock.iso(),
    });
    await deps.ledger.record({
      orgId: server.org_id,
      credential: op.credential,
      credentialId: null,
      target: { type: 'server', id: server.id },
      operation: `ssh.login:${op.operation}`,
      instruction: op.instruction,
      outcome: 'blocked',
    });
    await deps.alerts.raise({
      orgId: server.org_id,
      serverId: server.id,
      kind: 'host_key_changed',
      severity: 'critical',
      title: `${server.name}: the SSH host key changed; Steward stopped using this server`,
      details: { expected: server.host_key_fingerprint, presented, address: server.address, port: server.port },
    });
    await deps.audit.recordAlone({
      action: 'server.host_key_changed',
      orgId: server.org_id,
      actor: { type: 'system' },
      target: { type: 'server', id: server.id },
      result: 'denied',
      details: { expected: server.host_key_fingerprint, presented },
    });
  }

  const executor: RemoteExecutor = createSshExecutor({ ...deps.executorOptions, onLogin, onHostKeyMismatch });

  function hostKeyPolicy(server: ServerRow, allowFirstContact: boolean): HostKeyPolicy {
    if (server.host_key) return { kind: 'pinned', keys: [server.host_key] };
    if (server.host_key_fingerprint) return { kind: 'pinned', fingerprints: [server.host_key_fingerprint] };
    if (!allowFirstContact) return { kind: 'pinned' }; // nothing pinned: refused as unknown
    return {
      kind: 'pin-on-first-contact',
      onFirstContact: async (key) => {
        await serversStore.update(deps.db, server.id, {
          host_key: key.publicKey,
          host_key_fingerprint: key.fingerprint,
          host_key_source: 'first_contact',
          host_key_pinned_at: deps.clock.iso(),
        });
        await deps.audit.recordAlone({
          action: 'server.host_key_pinned',
          orgId: server.org_id,
          actor: { type: 'system' },
          target: { type: 'server', id: server.id },
          details: { fingerprint: key.fingerprint, type: key.type, verified: false },
        });
      },
    };
  }

  async function authFor(server: ServerRow, useBootstrap: boolean): Promise<SshAuth> {
    if (useBootstrap) {
      if (!server.bootstrap_sealed || !server.bootstrap_kind)
        throw new AppError(
          'STEWARD_CONFLICT',
          'This server has no initial credential any more; Steward logs in with its own key.',
        );
      const value = await deps.vault.openText(
        { scope: server.org_id, table: 'servers', column: 'bootstrap_sealed', row: server.id },
        server.bootstrap_sealed,
      );
      return server.bootstrap_kind === 'password'
        ? { kind: 'password', password: value }
        : { kind: 'key', privateKey: value };
    }
    return { kind: 'key', privateKey: (await deps.orgKey(server.org_id)).privateKey };
  }

  function refuseBlocked(server: ServerRow): void {
    if (server.status !== 'blocked') return;
    throw new AppError(
      'STEWARD_SSH_HOST_KEY_CHANGED',
      `${server.name} is blocked: its host key changed (presented ${server.presented_fingerprint ?? 'unknown'}). An owner must re-verify it before Steward connects again.`,
    );
  }

  /**
   * Everything before a login, the same for every kind: a blocked server is refused, the `beforeLogin` hook may
   * stop it, and the operation is noted under the login's session tag so `onLogin` writes it to the ledger.
   */
  async function prepareLogin(input: {
    readonly server: ServerRow;
    readonly instruction: Instruction;
    readonly operation: string;
    /** The session tag's prefix: `run` for commands, `term` for terminal shells. */
    readonly kind: 'run' | 'term';
    readonly useBootstrap?: boolean;
    readonly allowFirstContact?: boolean;
  }): Promise<{ tag: string; target: SshTarget }> {
    const { server, instruction, operation } = input;
    refuseBlocked(server);
    await deps.hooks.run('beforeLogin', instruction, server);
    const useBootstrap = input.useBootstrap === true;
    const tag = newId(input.kind, deps.clock.nowMs());
    const target: SshTarget = {
      host: server.address,
      port: server.port,
      username: server.username,
      label: server.id,
      session: tag,
      auth: await authFor(server, useBootstrap),
      hostKey: hostKeyPolicy(server, input.allowFirstContact === true),
    };
    operations.set(tag, {
      server,
      instruction,
      operation,
      credential: useBootstrap ? 'server_bootstrap' : 'org_ssh_key',
    });
    return { tag, target };
  }

  /** Runs `fn` on one fresh login to the server, recorded against `instruction`. */
  async function withServer<T>(
    server: ServerRow,
    instruction: Instruction,
    operation: string,
    fn: (session: RemoteSession) => Promise<T>,
    options: WithServerOptions = {},
  ): Promise<T> {
    const { tag, target } = await prepareLogin({ server, instruction, operation, kind: 'run', ...options });
    try {
      return await executor.withSession(target, fn);
    } finally {
      operations.delete(tag);
      executor.evict(target);
    }
  }

  // Web terminal (core/access): one login per shell, recorded like any other, closed with the shell
  /** Opens a login shell on a PTY with the organisation's key, on its own login recorded against `instruction`. */
  async function openShell(
    server: ServerRow,
    instruction: Instruction,
    operation: string,
    opts: ShellOptions,
  ): Promise<ShellHandle> {
    const { tag, target } = await prepareLogin({ server, instruction, operation, kind: 'term' });
    const release = () => {
      operations.delete(tag);
      executor.evict(target);
    };
    try {
      const shell = await executor.openShell(target, opts);
      void shell.exited.finally(release);
      return shell;
    } catch (err) {
      release();
      throw err;
    }
  }

  // Monitoring: kept logins for standing work
  /**
   * Standing work that runs every few seconds (metrics sampling) keeps one login per server open between runs
   * rather than logging in each time: a separate executor whose idle connections live for `keptIdleMs`, so a
   * kept login neither holds a permit of the main executor nor gets closed to make room for task logins. Each
   * login (the first, and each one after the connection dropped) is written to the ledger like any other.
   */
  interface Kept {
    readonly tag: string;
    readonly target: SshTarget;
    readonly server: ServerRow;
    readonly instruction: Instruction;
    /** The resident command started on this login, and the argv it was started with. */
    resident?: ResidentHandle;
    residentKey?: string;
  }
  const kept = new Map<string, Kept>();
  let keptExecutor: RemoteExecutor | undefined;
  const sameLogin = (a: ServerRow, b: ServerRow): boolean =>
    a.address === b.address &&
    a.port === b.port &&
    a.username === b.username &&
    a.host_key === b.host_key &&
    a.host_key_fingerprint === b.host_key_fingerprint;
  const sameInstruction = (a: Instruction, b: Instruction): boolean =>
    a.type === b.type && a.id === b.id && a.actorId === b.actorId;

  /** Closes a server's kept login and its resident command (monitoring switched off, server removed or changed). */
  function releaseKept(serverId: string): void {
    const k = kept.get(serverId);
    if (!k) return;
    kept.delete(serverId);
    k.resident?.close();
    keptExecutor?.evict(k.target);
    operations.delete(k.tag);
  }

  /** The server's kept login, logging in (and recording it) only when there is none open for this instruction. */
  async function keptLogin(server: ServerRow, instruction: Instruction, operation: string): Promise<Kept> {
    refuseBlocked(server);
    let k = kept.get(server.id);
    if (k && (!sameLogin(k.server, server) || !sameInstruction(k.instruction, instruction))) {
      releaseKept(server.id);
      k = undefined;
    }
    if (!k) {
      const { tag, target } = await prepareLogin({ server, instruction, operation, kind: 'run' });
      k = { tag, target, server, instruction };
      kept.set(server.id, k);
    }
    return k;
  }

  const keptExec = (): RemoteExecutor =>
    (keptExecutor ??= createSshExecutor({
      ...deps.executorOptions,
      idleTimeoutMs: deps.keptIdleMs ?? 600_000,
      // Every sample is traffic on the login (each request and its answer), so a keepalive every 15 s mostly
      // duplicates it: at 100 servers that was about seven round trips a second for nothing. One a minute still
      // keeps a login whose samples are further apart alive through a NAT or firewall's idle timeout.
      keepaliveIntervalMs: KEPT_KEEPALIVE_MS,
      maxConnectionsPerHost: 1,
      onLogin,
      onHostKeyMismatch,
    }));

  /** A refused key or a changed host key will not get better by keeping the same login around. */
  const dropOnRefusal = (serverId: string, err: unknown): never => {
    if (isAppError(err) && (err.code === 'STEWARD_SSH_AUTH_FAILED' || err.code === 'STEWARD_SSH_HOST_KEY_CHANGED'))
      releaseKept(serverId);
    throw err;
  };

  /**
   * The server's resident command on its kept login (see remote/resident.ts): the one started by `argv` if it is
   * still running, else a new one. It ends with the kept login (`releaseKept`) or after `idleMs` unused.
   */
  async function residentKept(input: {
    readonly server: ServerRow;
    readonly instruction: Instruction;
    readonly operation: string;
    readonly argv: readonly string[];
    readonly idleMs: number;
  }): Promise<ResidentHandle> {
    const k = await keptLogin(input.server, input.instruction, input.operation);
    const key = input.argv.join('\0');
    if (k.resident?.isOpen() && k.residentKey === key) return k.resident;
    k.resident?.close();
    try {
      k.resident = await keptExec().openResident(k.target, [...input.argv], { idleMs: input.idleMs });
      k.residentKey = key;
      return k.resident;
    } catch (err) {
      return dropOnRefusal(input.server.id, err);
    }
  }

  const keptMetrics = (): ExecutorMetrics | undefined => keptExecutor?.metrics();

  return {
    withServer,
    openShell,
    executor,
    residentKept,
    releaseKept,
    keptMetrics,
    close: async () => {
      await executor.close();
      await keptExecutor?.close();
    },
  };
}

export type ServerGateway = ReturnType<typeof createServerGateway>;
