/**
 * Errors raised by the SSH layer, and the mapping from ssh2's and Node's low-level errors to stable codes.
 * Nothing here holds a secret: argv arrives already redacted and stderr is shortened and scrubbed by the
 * caller.
 */
import { AppError, type ErrorCode } from '../kernel/errors.js';
import type { PresentedHostKey } from './host-key.js';

/** Where a connection was going, as it appears in errors and logs. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly label?: string;
}

function where(endpoint: Endpoint): string {
  const address = `${endpoint.host}:${endpoint.port}`;
  return endpoint.label ? `${endpoint.label} (${address})` : address;
}

/** The server presented a key other than the pinned one. The connection was dropped during key exchange. */
export class HostKeyChangedError extends AppError {
  readonly host: string;
  readonly port: number;
  readonly expectedFingerprints: readonly string[];
  readonly presentedFingerprint: string;
  readonly presented: PresentedHostKey;

  constructor(endpoint: Endpoint, expectedFingerprints: readonly string[], presented: PresentedHostKey) {
    super(
      'STEWARD_SSH_HOST_KEY_CHANGED',
      `The SSH host key of ${where(endpoint)} changed: expected ${expectedFingerprints.join(' or ')}, got ${presented.fingerprint}. ` +
        'Steward stopped before logging in.',
      {
        host: endpoint.host,
        port: endpoint.port,
        label: endpoint.label,
        expectedFingerprints,
        presentedFingerprint: presented.fingerprint,
        presentedKeyType: presented.type,
      },
    );
    this.name = 'HostKeyChangedError';
    this.host = endpoint.host;
    this.port = endpoint.port;
    this.expectedFingerprints = expectedFingerprints;
    this.presentedFingerprint = presented.fingerprint;
    this.presented = presented;
  }
}

/** No key is pinned and first-contact pinning was not requested. Stopped during key exchange. */
export class HostKeyUnknownError extends AppError {
  readonly host: string;
  readonly port: number;
  readonly presented: PresentedHostKey | undefined;

  constructor(endpoint: Endpoint, presented: PresentedHostKey | undefined, options?: { cause?: unknown }) {
    super(
      'STEWARD_SSH_HOST_KEY_UNKNOWN',
      `No host key is pinned for ${where(endpoint)}${presented ? ` (it presented ${presented.fingerprint})` : ''}; ` +
        'verify it out of band or request first-contact pinning.',
      { host: endpoint.host, port: endpoint.port, label: endpoint.label, presentedFingerprint: presented?.fingerprint },
      options,
    );
    this.name = 'HostKeyUnknownError';
    this.host = endpoint.host;
    this.port = endpoint.port;
    this.presented = presented;
  }
}

export interface ExecFailure {
  readonly endpoint: Endpoint;
  /** Already redacted by argv.ts. */
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** The end of stderr, shortened and scrubbed of the stdin secret. */
  readonly stderr: string;
  readonly durationMs: number;
}

/** A remote command ran and exited with a status the caller did not accept. */
export class ExecError extends AppError {
  readonly host: string;
  readonly port: number;
  readonly argv: readonly string[];
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stderr: string;
  readonly durationMs: number;

  constructor(failure: ExecFailure) {
    const how = failure.signal ? `was killed by signal ${failure.signal}` : `exited with status ${failure.exitCode}`;
    super('STEWARD_SSH_COMMAND_FAILED', `"${failure.argv[0] ?? ''}" on ${where(failure.endpoint)} ${how}.`, {
      host: failure.endpoint.host,
      port: failure.endpoint.port,
      label: failure.endpoint.label,
      argv: failure.argv,
      exitCode: failure.exitCode,
      signal: failure.signal,
      stderr: failure.stderr,
      durationMs: failure.durationMs,
    });
    this.name = 'ExecError';
    this.host = failure.endpoint.host;
    this.port = failure.endpoint.port;
    this.argv = failure.argv;
    this.exitCode = failure.exitCode;
    this.signal = failure.signal;
    this.stderr = failure.stderr;
    this.durationMs = failure.durationMs;
  }
}

export function sshError(
  code: ErrorCode,
  endpoint: Endpoint,
  message: string,
  extra?: Record<string, unknown>,
  cause?: unknown,
): AppError {
  return new AppError(
    code,
    `${message} (${where(endpoint)})`,
    { host: endpoint.host, port: endpoint.port, label: endpoint.label, ...extra },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The one answer for every failure before the server proved it speaks SSH (showed a host key): refused, reset,
 * timed out, closed early, not SSH, a name that does not resolve, or an address the operator's policy refuses.
 * The cause stays on the error for the operator's log, never in the message.
 */
export function unreachableError(endpoint: Endpoint, cause?: unknown): AppError {
  return sshError(
    'STEWARD_SSH_UNREACHABLE',
    endpoint,
    'Steward could not reach an SSH server there (check the address, the port and that sshd answers from Steward’s network)',
    { phase: 'connect' },
    cause,
  );
}

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EADDRNOTAVAIL',
  'ENETDOWN',
]);

/**
 * Maps an error from ssh2 or the socket to a stable code. ssh2 tags its errors with `level`:
 * `client-socket` and `client-dns` (network), `client-timeout` (handshake or keepalive), `client-authentication`,
 * and `handshake` / `protocol` for everything in the SSH protocol itself.
 */
export function normaliseSshError(err: unknown, endpoint: Endpoint, phase: 'connect' | 'session'): AppError {
  if (err instanceof AppError) return err;
  const e = (err ?? {}) as { code?: unknown; level?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const level = typeof e.level === 'string' ? e.level : undefined;
  const text = typeof e.message === 'string' ? e.message : String(err);
  const extra = { phase, cause: code ?? level };
  if (code === 'ETIMEDOUT' || level === 'client-timeout') {
    return sshError(
      'STEWARD_SSH_TIMEOUT',
      endpoint,
      phase === 'connect' ? 'The SSH handshake timed out' : 'The SSH connection stopped answering',
      extra,
      err,
    );
  }
  if (level === 'client-authentication') {
    return sshError('STEWARD_SSH_AUTH_FAILED', endpoint, 'The server refused the SSH credentials', extra, err);
  }
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || level === 'client-socket' || level === 'client-dns') {
    return sshError(
      'STEWARD_SSH_UNREACHABLE',
      endpoint,
      `The server could not be reached over SSH: ${code ?? text}`,
      extra,
      err,
    );
  }
  if (/connection lost|not connected|no response from server/i.test(text)) {
    return sshError('STEWARD_SSH_UNREACHABLE', endpoint, 'The SSH connection closed', extra, err);
  }
  return sshError('STEWARD_SSH_PROTOCOL', endpoint, `The SSH session failed: ${text.slice(0, 200)}`, extra, err);
}
