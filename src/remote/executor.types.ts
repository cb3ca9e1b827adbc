/**
 * The public shape of the SSH executor: what core/tasks, discovery and the web terminal program against.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { AddressPolicy } from '../kernel/addresses.js';
import type { Argv } from './argv.js';
import type { HostKeyChangedError } from './errors.js';
import type { PresentedHostKey } from './host-key.js';
import type { PoolMetrics } from './pool.js';
import type { ResidentHandle, ResidentOptions } from './resident.js';
import type { StdinInput } from './run-command.js';
import type { SshTarget } from './target.js';

export interface ExecOptions {
  /** Data for the command's stdin, then EOF. The only way a secret may reach a remote command. */
  readonly stdin?: StdinInput;
  /**
   * A stream the command reads after `stdin` (if any), then EOF: a restore feeding a dump back. Read only as fast
   * as the channel drains; an error in it kills the command.
   */
  readonly stdinStream?: Readable;
  /**
   * Where stdout goes, with backpressure: the channel pauses while the sink is full, so a slow consumer slows
   * the server's command instead of filling memory. Not ended here (the caller decides what the end means).
   */
  readonly stdoutSink?: Writable;
  /** Kill the command (SIGKILL to its process group) and fail with STEWARD_SSH_TIMEOUT after this long. */
  readonly timeoutMs?: number;
  /** Exit statuses that count as success; default `[0]`. A `check` that runs `test -e` wants `[0, 1]`. */
  readonly acceptExitCodes?: readonly number[];
  /** Absolute directory to run in (`cd -- <cwd> &&` before the command). */
  readonly cwd?: string;
  /** Live output, chunk by chunk, as the server sends it. */
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  /** Aborting kills the remote command; the call rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
  /** Bytes of stdout and of stderr kept in the result (the callbacks still see everything). */
  readonly maxOutputBytes?: number;
}

export interface StreamOptions extends ExecOptions {
  readonly onStdout: (chunk: Buffer) => void;
}

export interface ExecResult {
  readonly exitCode: number;
  /** UTF-8 decoded; use `stdoutBytes` when the bytes matter. Empty for `stream()`. */
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
  readonly stderrBytes: Buffer;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly durationMs: number;
}

export interface ShellOptions {
  readonly cols: number;
  readonly rows: number;
  /** `$TERM` on the server, e.g. `xterm-256color`. */
  readonly term: string;
}

/** An interactive shell on a PTY. Keeps one channel slot of its connection until closed. */
export interface ShellHandle {
  /** Bytes typed go in; the terminal's output (stdout and stderr merged by the PTY) comes out. */
  readonly stream: Duplex;
  readonly hostKey: PresentedHostKey;
  resize(cols: number, rows: number): void;
  close(): void;
  /** Settles when the shell ends, however it ends. */
  readonly exited: Promise<{ exitCode: number | null; signal: string | null }>;
}

/** Commands run one after another on a single connection, e.g. a task that wants one login. */
export interface RemoteSession {
  readonly hostKey: PresentedHostKey;
  exec(argv: Argv, opts?: ExecOptions): Promise<ExecResult>;
  stream(argv: Argv, opts: StreamOptions): Promise<ExecResult>;
}

/** What the executor counts: pool metrics plus work in flight. */
export interface ExecutorMetrics extends PoolMetrics {
  readonly commandsStarted: number;
  readonly commandsFailed: number;
  readonly hostKeyMismatches: number;
  /** Channel opens retried because a pooled connection had died or the server's session table was full. */
  readonly channelRetries: number;
  readonly activeOperations: number;
  readonly activeOperationsPeak: number;
}

/** The parts of a target that identify it without its credentials, for hooks and logs. */
export interface TargetRef {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly label?: string;
  readonly session?: string;
}

export interface SshExecutorOptions {
  readonly maxConnectionsPerHost?: number;
  readonly maxChannelsPerConnection?: number;
  readonly maxOpenConnections?: number;
  /** Commands and sessions running at once across all hosts (shells are not counted). */
  readonly maxConcurrency?: number;
  readonly idleTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  /** TCP connect, key exchange and login together. */
  readonly connectTimeoutMs?: number;
  /**
   * Which addresses may be connected to. Names are resolved once, every address is checked, and the connection
   * goes to the checked address; a refused one fails like an unreachable server (STEWARD_SSH_UNREACHABLE).
   */
  readonly addressPolicy?: AddressPolicy;
  readonly commandTimeoutMs?: number;
  /** How long a call may wait for a concurrency permit or a free connection. */
  readonly queueTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  /** The core blocks the server, raises an alert and audits here; the caller then gets the error. */
  readonly onHostKeyMismatch?: (error: HostKeyChangedError, target: TargetRef) => void | Promise<void>;
  /** Called after every successful login (a new pooled connection), e.g. to record the credential's use. */
  readonly onLogin?: (target: TargetRef) => void | Promise<void>;
  /** Extra host keys proven by a server already verified with its pinned key (OpenSSH UpdateHostKeys). */
  readonly onHostKeysProven?: (target: TargetRef, keys: PresentedHostKey[]) => void;
}

/**
 * Runs commands on customers' servers over SSH. Every call names its target, including how the host key is
 * verified; connections are pooled per (host, port, user, credential, host-key policy) and reused.
 *
 * Commands are argv arrays quoted by argv.ts; secrets go in `stdin`. Failures are `AppError`s:
 * `ExecError` (STEWARD_SSH_COMMAND_FAILED) for an unaccepted exit status, and STEWARD_SSH_UNREACHABLE,
 * STEWARD_SSH_TIMEOUT, STEWARD_SSH_AUTH_FAILED, STEWARD_SSH_PROTOCOL, STEWARD_SSH_HOST_KEY_CHANGED
 * (`HostKeyChangedError`) and STEWARD_SSH_HOST_KEY_UNKNOWN for everything before or around it.
 */
export interface RemoteExecutor {
  /** Runs a command and collects its output. Rejects with `ExecError` unless the status is accepted. */
  exec(target: SshTarget, argv: Argv, opts?: ExecOptions): Promise<ExecResult>;
  /** Like `exec` for long output: stdout goes only to `onStdout` and is not kept. */
  stream(target: SshTarget, argv: Argv, opts: StreamOptions): Promise<ExecResult>;
  /** Holds one connection for `fn`; its commands run one at a time on it. */
  withSession<T>(target: SshTarget, fn: (session: RemoteSession) => Promise<T>): Promise<T>;
  /** Opens a login shell on a PTY, for the web terminal. */
  openShell(target: SshTarget, opts: ShellOptions): Promise<ShellHandle>;
  /**
   * Starts a command that stays running and answers requests written to its stdin (see resident.ts). Like a
   * shell it holds a channel slot of its connection and is not counted against `maxConcurrency`.
   */
  openResident(target: SshTarget, argv: Argv, opts: ResidentOptions): Promise<ResidentHandle>;
  /** Closes this target's pooled connections (e.g. after its credential or pinned key changed). */
  evict(target: SshTarget): void;
  metrics(): ExecutorMetrics;
  resetPeaks(): void;
  /** Closes every connection; later calls fail with STEWARD_REMOTE_EXECUTOR_CLOSED. */
  close(): Promise<void>;
}
