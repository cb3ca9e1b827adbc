/**
 * The only place in Steward that creates an ssh2 `Client`. ssh2 accepts any host key when `hostVerifier`
 * is missing, so `connectSsh` takes the policy as a required parameter, checks it again at run time and
 * always installs a verifier built from it. A test (ssh-usage.test.ts) fails if any other file constructs
 * a `Client`.
 */
import ssh2, {
  type AuthHandlerMiddleware,
  type ClientChannel,
  type ParsedKey,
  type PublicKeyAuthMethod,
  type PasswordAuthMethod,
} from 'ssh2';
import { resolveAllowed, type AddressPolicy } from '../kernel/addresses.js';
import { AppError } from '../kernel/errors.js';
import { transportAlgorithms } from './algorithms.js';
import type { ShellCommand } from './argv.js';
import {
  HostKeyChangedError,
  HostKeyUnknownError,
  normaliseSshError,
  sshError,
  unreachableError,
  type Endpoint,
} from './errors.js';
import { describeHostKey, type HostKeyPolicy, type PresentedHostKey } from './host-key.js';
import { compileHostKeyPolicy, createHostVerifier, expectedFingerprints } from './host-key-verifier.js';
import { noopLogger, type RemoteLogger } from './logging.js';
import type { SshAuth } from './target.js';
import { assertValidHostname, assertValidPort, assertValidUnixUser } from './validators.js';

/** Called when a pinned host presents another key, before the error reaches the caller. */
export type HostKeyMismatchHook = (error: HostKeyChangedError) => void | Promise<void>;

export interface SshConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly auth: SshAuth;
  readonly hostKey: HostKeyPolicy;
  readonly label?: string;
  /** TCP connect + key exchange + login. */
  readonly connectTimeoutMs?: number;
  /** When given, the host is resolved once, every address checked, and the checked address connected to. */
  readonly addressPolicy?: AddressPolicy;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveCountMax?: number;
  readonly onHostKeyMismatch?: HostKeyMismatchHook;
  /** Further host keys the server proved it holds, over a session already verified by the pinned key. */
  readonly onHostKeysProven?: (keys: PresentedHostKey[]) => void;
  readonly logger?: RemoteLogger;
}

export interface PtySize {
  readonly cols: number;
  readonly rows: number;
  readonly term: string;
}

/** A logged-in SSH connection. Channels are opened by the executor; this object only knows SSH. */
export interface SshConnection {
  readonly endpoint: Endpoint;
  /** The key the server presented and the policy accepted. */
  readonly hostKey: PresentedHostKey;
  readonly firstContact: boolean;
  openExec(command: ShellCommand): Promise<ClientChannel>;
  openShell(pty: PtySize): Promise<ClientChannel>;
  isOpen(): boolean;
  onClose(listener: () => void): void;
  close(): void;
}

const MISMATCH_HOOK_LIMIT_MS = 10_000;

export function connectSsh(options: SshConnectOptions): Promise<SshConnection> {
  // Everything checkable without the network throws here, synchronously, before any lookup or socket.
  const connectTo = prepare(options);
  const policy = options.addressPolicy;
  if (!policy) return connectTo(options.host);
  return resolveAllowed(options.host, policy).then(
    ({ address }) => connectTo(address),
    (err: unknown) => {
      // A refused address, a name that does not resolve and a closed port all look the same from outside.
      const endpoint = { host: options.host, port: options.port, username: options.username, label: options.label };
      options.logger?.info({ host: options.host, port: options.port, err: String(err) }, 'ssh address not used');
      throw unreachableError(endpoint, err);
    },
  );
}

/**
 * Checks the options and returns the function that connects to `address` (the checked one, or the host as given
 * when there is no policy); errors name the host as the customer typed it.
 */
function prepare(options: SshConnectOptions): (address: string) => Promise<SshConnection> {
  // 1. Everything that can be checked without the network is checked first, so a bad policy, target or
  //    key never opens a socket.
  const policy = compileHostKeyPolicy(options?.hostKey);
  assertValidHostname(options.host);
  assertValidPort(options.port);
  assertValidUnixUser(options.username);
  const endpoint: Endpoint = {
    host: options.host,
    port: options.port,
    username: options.username,
    label: options.label,
  };
  const authMethod = buildAuthMethod(options.username, options.auth, endpoint);
  const logger = options.logger ?? noopLogger;
  const verifier = createHostVerifier(policy);

  return (address) =>
    new Promise<SshConnection>((resolve, reject) => {
      const client = new ssh2.Client();
      let open = false;
      let settled = false;
      const closeListeners: Array<() => void> = [];

      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        void explainFailure(err).then(reject, reject);
      };

      // 2. A failed handshake is explained by the verifier's verdict first: the generic "Host denied" error
      //    from ssh2 becomes a typed host-key error, and the mismatch hook runs before the caller hears of it.
      const explainFailure = async (err: unknown): Promise<AppError> => {
        const verdict = verifier.verdict();
        if (verdict.outcome === 'mismatch') {
          const error = new HostKeyChangedError(endpoint, expectedFingerprints(policy), verdict.presented);
          logger.warn(
            {
              host: endpoint.host,
              port: endpoint.port,
              label: endpoint.label,
              presented: verdict.presented.fingerprint,
            },
            'ssh host key changed',
          );
          await runMismatchHook(options.onHostKeyMismatch, error, logger);
          return error;
        }
        if (verdict.outcome === 'unknown') return new HostKeyUnknownError(endpoint, verdict.presented);
        if (verdict.outcome === 'first-contact-failed') {
          if (verdict.error instanceof AppError) return verdict.error;
          return new HostKeyUnknownError(endpoint, verdict.presented, { cause: verdict.error });
        }
        // Until the server has shown a host key, nothing proves an SSH server is there: whatever went wrong (refused,
        // reset, silent, another protocol) gets one answer, so adding servers cannot map what listens where.
        if (verdict.outcome === 'pending') return unreachableError(endpoint, err);
        return normaliseSshError(err, endpoint, 'connect');
      };

      client.on('ready', () => {
        const verdict = verifier.verdict();
        if (verdict.outcome !== 'accepted') {
          // Unreachable through ssh2's state machine; kept so a library change cannot turn into a silent accept.
          client.end();
          fail(new AppError('STEWARD_SSH_PROTOCOL', 'The SSH session became ready without a verified host key.'));
          return;
        }
        open = true;
        settled = true;
        logger.debug(
          {
            host: endpoint.host,
            port: endpoint.port,
            label: endpoint.label,
            hostKey: verdict.presented.fingerprint,
            firstContact: verdict.firstContact,
          },
          'ssh login',
        );
        resolve(
          wrap({
            client,
            endpoint,
            hostKey: verdict.presented,
            firstContact: verdict.firstContact,
            isOpen: () => open,
            closeListeners,
          }),
        );
      });
      client.on('error', (err) => {
        if (settled && open)
          logger.warn({ host: endpoint.host, port: endpoint.port, err: err.message }, 'ssh connection error');
        open = false;
        fail(err);
      });
      client.on('close', () => {
        open = false;
        fail(
          sshError('STEWARD_SSH_UNREACHABLE', endpoint, 'The SSH connection closed before login finished', {
            phase: 'connect',
          }),
        );
        for (const listener of closeListeners.splice(0)) listener();
      });
      client.on('hostkeys', (keys: ParsedKey[]) => {
        if (!options.onHostKeysProven) return;
        try {
          options.onHostKeysProven(keys.map((k) => describeHostKey(k.getPublicSSH())));
        } catch (err) {
          logger.warn({ host: endpoint.host, err: String(err) }, 'onHostKeysProven failed');
        }
      });

      client.connect({
        host: address,
        port: options.port,
        username: options.username,
        // Raw key blob to the verifier: no hostHash, so we compare bytes, not a hex digest.
        hostVerifier: verifier.verify,
        authHandler: authMethod,
        algorithms: transportAlgorithms(policy),
        readyTimeout: options.connectTimeoutMs ?? 15_000,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: options.keepaliveCountMax ?? 3,
      });
      // Command traffic is small request/response messages: without this each one can wait on delayed ACKs.
      client.setNoDelay(true);
    });
}

function wrap(input: {
  readonly client: InstanceType<typeof ssh2.Client>;
  readonly endpoint: Endpoint;
  readonly hostKey: PresentedHostKey;
  readonly firstContact: boolean;
  readonly isOpen: () => boolean;
  readonly closeListeners: Array<() => void>;
}): SshConnection {
  const { client, endpoint, hostKey, firstContact, isOpen, closeListeners } = input;
  const channel = (start: (cb: (err: Error | undefined, ch: ClientChannel) => void) => void): Promise<ClientChannel> =>
    new Promise((resolve, reject) => {
      try {
        start((err, ch) => (err ? reject(channelError(err, endpoint)) : resolve(ch)));
      } catch (err) {
        reject(normaliseSshError(err, endpoint, 'session'));
      }
    });
  return {
    endpoint,
    hostKey,
    firstContact,
    openExec: (command) => channel((cb) => client.exec(command, {}, cb)),
    openShell: (pty) =>
      channel((cb) => client.shell({ cols: pty.cols, rows: pty.rows, term: pty.term, width: 0, height: 0 }, {}, cb)),
    isOpen,
    onClose: (listener) => {
      if (isOpen()) closeListeners.push(listener);
      else queueMicrotask(listener);
    },
    close: () => client.end(),
  };
}

/**
 * A refused channel open means the command never started. OpenSSH refuses when MaxSessions is reached,
 * which can happen briefly while closed channels are still being torn down; callers may retry these.
 */
export function isChannelRefused(err: unknown): boolean {
  return err instanceof AppError && err.details?.reason === 'channel_refused';
}

function channelError(err: Error, endpoint: Endpoint): AppError {
  if (/channel open failure/i.test(err.message)) {
    return sshError(
      'STEWARD_SSH_PROTOCOL',
      endpoint,
      `The server refused a new channel: ${err.message}`,
      { phase: 'session', reason: 'channel_refused' },
      err,
    );
  }
  return normaliseSshError(err, endpoint, 'session');
}

/**
 * Exactly one method, so ssh2 never tries `none` or an agent first, and a key is parsed (and its
 * passphrase checked) before any network traffic.
 */
function buildAuthMethod(
  username: string,
  auth: SshAuth,
  endpoint: Endpoint,
): AuthHandlerMiddleware | Array<PasswordAuthMethod | PublicKeyAuthMethod> {
  if (auth?.kind === 'password') {
    return [{ type: 'password', username, password: auth.password.reveal() }];
  }
  if (auth?.kind === 'key') {
    const parsed = ssh2.utils.parseKey(auth.privateKey.reveal(), auth.passphrase?.reveal());
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error || key.isPrivateKey() !== true) {
      throw sshError(
        'STEWARD_SSH_AUTH_FAILED',
        endpoint,
        'The private key could not be read (wrong format or passphrase)',
        { reason: 'key_unreadable' },
      );
    }
    return [{ type: 'publickey', username, key }];
  }
  throw sshError('STEWARD_SSH_AUTH_FAILED', endpoint, 'No usable SSH credential was given', { reason: 'auth_missing' });
}

async function runMismatchHook(
  hook: HostKeyMismatchHook | undefined,
  error: HostKeyChangedError,
  logger: RemoteLogger,
): Promise<void> {
  if (!hook) return;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => hook(error)),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.error({ host: error.host, port: error.port }, 'onHostKeyMismatch did not finish in time');
          resolve();
        }, MISMATCH_HOOK_LIMIT_MS);
      }),
    ]);
  } catch (err) {
    // The caller still gets HostKeyChangedError; the hook's own failure must not replace it.
    logger.error({ host: error.host, port: error.port, err: String(err) }, 'onHostKeyMismatch failed');
  } finally {
    clearTimeout(timer);
  }
}
