/**
 * How the executor opens a connection for a target: the target's own policy, except that a host met
 * through pin-on-first-contact is held to the key learned then for the rest of the executor's life. Two
 * first contacts to one host never run at once, so the second is checked against what the first stored.
 */
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

export function createConnector(options: ConnectorOptions): Connector {
  const learned = new Map<string, PresentedHostKey>();
  const firstContacts = new Map<string, Promise<unknown>>();

  const connectWith = async (target: SshTarget, policy: HostKeyPolicy): Promise<SshConnection> => {
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
