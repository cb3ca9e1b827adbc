/**
 * How the executor opens a connection for a target: the target's own policy, except that a host met
 * through pin-on-first-contact is held to the key learned then for the rest of the executor's life. Two
 * first contacts to one host never run at once, so the second is checked against what the first stored.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { isAppError, type AppError } from '../kernel/errors.js';
import { connectSsh, type SshConnection } from './connection.js';
import type { SshExecutorOptions, TargetRef } from './executor.types.js';
import type { HostKeyPolicy, PresentedHostKey } from './host-key.js';
import type { RemoteLogger } from './logging.js';
import type { SshTarget } from './target.js';

export interface ConnectorOptions extends Pick<
  SshExecutorOptions,
  'onHostKeyMismatch' | 'onHostKeysProven' | 'onLogin' | 'addressPolicy'
> {
  readonly connectTimeoutMs: number;
  readonly keepaliveIntervalMs: number;
  readonly logger: RemoteLogger;
  readonly onMismatchCounted: () => void;
}

export type Connector = (target: SshTarget, hostKey: string) => Promise<SshConnection>;

/** Waits before the second and third try of a handshake that timed out or was cut (a busy host, not a no). */
const HANDSHAKE_RETRY_DELAYS_MS = [250, 1_000];

/** Causes that say no (nothing listens, no such name, no route): trying again soon would not change them. */
const FINAL_CAUSES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'ENETDOWN']);

/**
 * A handshake that timed out, or a connection the server closed before login (sshd over MaxStartups, a host
 * starved of CPU): worth another try. A refusal, an unknown name, a refused address or a wrong key is not. The
 * customer sees one answer for all of these (connection.ts); the raw cause, kept inside, tells them apart.
 */
function handshakeWorthRetrying(err: unknown): boolean {
  if (!isAppError(err) || err.details?.phase !== 'connect') return false;
  if (err.code !== 'STEWARD_SSH_TIMEOUT' && err.code !== 'STEWARD_SSH_UNREACHABLE') return false;
  const raw = (err as { cause?: unknown }).cause;
  if (raw === undefined) return true;
  if (isAppError(raw)) return false;
  const code = (raw as { code?: unknown }).code;
  return !(typeof code === 'string' && FINAL_CAUSES.has(code));
}

export function createConnector(options: ConnectorOptions): Connector {
  const learned = new Map<string, PresentedHostKey>();
  const firstContacts = new Map<string, Promise<unknown>>();

  /**
   * Connects, trying a busy host again (twice, after 250 ms and 1 s) when the handshake timed out or was cut.
   * A first contact is not retried: its key may already have been stored.
   */
  const connectWith = async (target: SshTarget, policy: HostKeyPolicy): Promise<SshConnection> => {
    const tries = policy.kind === 'pin-on-first-contact' ? 0 : HANDSHAKE_RETRY_DELAYS_MS.length;
    for (let attempt = 0; ; attempt++) {
      try {
        return await connectOnce(target, policy);
      } catch (err) {
        if (attempt >= tries || !handshakeWorthRetrying(err)) throw err;
        options.logger.warn(
          { host: target.label ?? target.host, attempt: attempt + 1, code: (err as AppError).code },
          'SSH handshake did not finish; trying again',
        );
        await delay(HANDSHAKE_RETRY_DELAYS_MS[attempt]!);
      }
    }
  };

  const connectOnce = async (target: SshTarget, policy: HostKeyPolicy): Promise<SshConnection> => {
    const ref: TargetRef = {
      host: target.host,
      port: target.port,
      username: target.username,
      label: target.label,
      session: target.session,
    };
    const connection = await connectSsh({
      ...ref,
      auth: target.auth,
      hostKey: policy,
      connectTimeoutMs: options.connectTimeoutMs,
      ...(options.addressPolicy ? { addressPolicy: options.addressPolicy } : {}),
      keepaliveIntervalMs: options.keepaliveIntervalMs,
      logger: options.logger,
      onHostKeyMismatch: (error) => {
        options.onMismatchCounted();
        return options.onHostKeyMismatch?.(error, ref);
      },
      onHostKeysProven: options.onHostKeysProven ? (keys) => options.onHostKeysProven?.(ref, keys) : undefined,
    });
    if (options.onLogin) {
      try {
        await options.onLogin(ref);
      } catch (err) {
        // A login that cannot be recorded is not used.
        connection.close();
        throw err;
      }
    }
    return connection;
  };

  return async (target, hostKey) => {
    const policy = target.hostKey;
    if (policy.kind !== 'pin-on-first-contact') return connectWith(target, policy);
    await firstContacts.get(hostKey)?.catch(() => undefined);
    const known = learned.get(hostKey);
    if (known) return connectWith(target, { kind: 'pinned', keys: [known.publicKey] });
    const attempt = connectWith(target, {
      kind: 'pin-on-first-contact',
      onFirstContact: async (key) => {
        await policy.onFirstContact(key);
        learned.set(hostKey, key);
      },
    });
    firstContacts.set(hostKey, attempt);
    try {
      return await attempt;
    } finally {
      if (firstContacts.get(hostKey) === attempt) firstContacts.delete(hostKey);
    }
  };
}
