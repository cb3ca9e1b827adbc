/**
 * `createSshExecutor`: argv in, result or typed error out, over pooled and verified SSH connections.
 */
import type { ClientChannel } from 'ssh2';
import { sleep, systemClock, type Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import { Secret } from '../kernel/secret.js';
import { redactArgv, shellFragment, toShellCommand, type Argv, type ShellCommand } from './argv.js';
import { isChannelRefused, type SshConnection } from './connection.js';
import { createConnector } from './connector.js';
import { ExecError, sshError, type Endpoint } from './errors.js';
import type {
  ExecOptions,
  ExecResult,
  ExecutorMetrics,
  RemoteExecutor,
  RemoteSession,
  SshExecutorOptions,
  TargetRef,
} from './executor.types.js';
import { compileHostKeyPolicy } from './host-key-verifier.js';
import { noopLogger, type RemoteLogger } from './logging.js';
import { createConnectionPool, type Lease } from './pool.js';
import { createPoolKeyer, hostKeyOf, policyId } from './pool-key.js';
import { commandWithPidReport, runOnChannel, type ChannelOutcome, type RemoteKiller } from './run-command.js';
import { startResident } from './resident.js';
import { Semaphore } from './semaphore.js';
import { assertShellOptions, startShell } from './shell.js';
import type { SshTarget } from './target.js';
import { assertValidHostname, assertValidPort, assertValidRemotePath, assertValidUnixUser } from './validators.js';

/**
 * Channels per connection stay well under OpenSSH's MaxSessions (10): the server counts a closed channel
 * until its next loop tears it down, and a timed-out command needs one more channel to be killed. With 8
 * in flight, a busy server refused about one channel open in five; with 6, none (see the decision record).
 */
const DEFAULTS = {
  maxConnectionsPerHost: 2,
  maxChannelsPerConnection: 6,
  maxOpenConnections: 256,
  maxConcurrency: 64,
  idleTimeoutMs: 30_000,
  keepaliveIntervalMs: 15_000,
  connectTimeoutMs: 15_000,
  commandTimeoutMs: 600_000,
  queueTimeoutMs: 120_000,
  maxOutputBytes: 8 * 1024 * 1024,
} as const;

/** How long a killed or finished channel may take to close before its connection is written off. */
const CHANNEL_CLOSE_GRACE_MS = 5_000;
const STDERR_IN_ERRORS = 4096;
const CHANNEL_REFUSED_RETRIES = 5;

export interface CreateSshExecutorOptions extends SshExecutorOptions {
  readonly logger?: RemoteLogger;
  readonly clock?: Clock;
}

interface Prepared {
  readonly target: SshTarget;
  readonly ref: TargetRef;
  readonly endpoint: Endpoint;
  readonly poolKey: string;
  readonly hostKey: string;
}

export function createSshExecutor(options: CreateSshExecutorOptions = {}): RemoteExecutor {
  const settings = resolveSettings(options);
  const logger = options.logger ?? noopLogger;
  const clock = options.clock ?? systemClock;
  const pool = createConnectionPool<SshConnection>(settings);
  const gate = new Semaphore(settings.maxConcurrency);
  const keyer = createPoolKeyer();
  const counters = { commandsStarted: 0, commandsFailed: 0, hostKeyMismatches: 0, channelRetries: 0 };
  const connect = createConnector({
    ...options,
    connectTimeoutMs: settings.connectTimeoutMs,
    keepaliveIntervalMs: settings.keepaliveIntervalMs,
    logger,
    onMismatchCounted: () => {
      counters.hostKeyMismatches += 1;
    },
  });
  let closed = false;

  function prepare(target: SshTarget): Prepared {
    if (closed) throw new AppError('STEWARD_REMOTE_EXECUTOR_CLOSED', 'The SSH executor is closed.');
    const compiled = compileHostKeyPolicy(target?.hostKey);
    assertValidHostname(target.host);
    assertValidPort(target.port);
    assertValidUnixUser(target.username);
    const ref: TargetRef = { host: target.host, port: target.port, username: target.username, label: target.label };
    if (target.auth?.kind !== 'password' && target.auth?.kind !== 'key') {
      throw sshError('STEWARD_SSH_AUTH_FAILED', ref, 'No usable SSH credential was given', { reason: 'auth_missing' });
    }
    const hostKey = hostKeyOf(target.host, target.port);
    const poolKey = [
      target.username,
      hostKey,
      keyer.credentialId(target.auth),
      policyId(target.hostKey, compiled),
      target.session ?? '',
    ].join('|');
    return { target, ref, endpoint: ref, poolKey, hostKey };
  }

  const lease = (p: Prepared): Promise<Lease<SshConnection>> =>
    pool.acquire({
      poolKey: p.poolKey,
      hostKey: p.hostKey,
      connect: () => connect(p.target, p.hostKey),
      timeoutMs: settings.queueTimeoutMs,
      timeoutError: () =>
        sshError('STEWARD_SSH_TIMEOUT', p.endpoint, 'No SSH connection became free in time', { phase: 'queue' }),
    });

  const permit = (p: Prepared) =>
    gate.acquire(settings.queueTimeoutMs, () =>
      sshError('STEWARD_SSH_TIMEOUT', p.endpoint, 'Too much SSH work is queued; gave up waiting', { phase: 'queue' }),
    );

  /**
   * The command has not started when opening its channel fails, so two failures are retried: a pooled
   * connection that died unnoticed while idle (once, on a fresh connection), and a channel the server
   * refused because its session table is momentarily full (a few times, with a short pause).
   */
  async function openExec(
    p: Prepared,
    command: ShellCommand,
  ): Promise<{ held: Lease<SshConnection>; channel: ClientChannel }> {
    let staleRetries = 1;
    let refusedRetries = CHANNEL_REFUSED_RETRIES;
    for (;;) {
      const held = await lease(p);
      try {
        return { held, channel: await held.connection.openExec(command) };
      } catch (err) {
        const stale = !held.connection.isOpen();
        held.release(stale);
        if (stale && staleRetries-- > 0) {
          counters.channelRetries += 1;
          continue;
        }
        if (!stale && isChannelRefused(err) && refusedRetries-- > 0) {
          counters.channelRetries += 1;
          await sleep(25 * (CHANNEL_REFUSED_RETRIES - refusedRetries));
          continue;
        }
        throw err;
      }
    }
  }

  async function run(
    connection: SshConnection,
    p: Prepared,
    argv: Argv,
    opts: ExecOptions,
    collect: boolean,
  ): Promise<ExecResult> {
    const channel = await connection.openExec(buildCommand(argv, opts.cwd));
    return finish({ channel, connection, p, shown: redactArgv(argv), opts, collect });
  }

  async function finish(input: {
    readonly channel: ClientChannel;
    readonly connection: SshConnection;
    readonly p: Prepared;
    readonly shown: string[];
    readonly opts: ExecOptions;
    readonly collect: boolean;
    readonly onOpened?: (closed: Promise<void>) => void;
  }): Promise<ExecResult> {
    const { channel, connection, p, shown, opts, collect, onOpened } = input;
    const running = runOnChannel(
      channel,
      {
        stdin: opts.stdin,
        stdinStream: opts.stdinStream,
        stdoutSink: opts.stdoutSink,
        timeoutMs: opts.timeoutMs ?? settings.commandTimeoutMs,
        onStdout: opts.onStdout,
        onStderr: opts.onStderr,
        collectStdout: collect,
        maxOutputBytes: opts.maxOutputBytes ?? settings.maxOutputBytes,
        signal: opts.signal,
        kill: killer(connection),
      },
      p.endpoint,
      shown,
      clock,
    );
    onOpened?.(running.closed);
    const outcome = await running.outcome;
    const result = judge(outcome, p, shown, opts);
    logger.debug(
      {
        host: p.ref.host,
        label: p.ref.label,
        argv0: shown[0],
        exitCode: result.exitCode,
        durationMs: result.durationMs,
      },
      'ssh command finished',
    );
    return result;
  }

  async function execute(target: SshTarget, argv: Argv, opts: ExecOptions, collect: boolean): Promise<ExecResult> {
    const p = prepare(target);
    const command = buildCommand(argv, opts.cwd);
    const held = await permit(p);
    counters.commandsStarted += 1;
    try {
      const { held: conn, channel } = await openExec(p, command);
      return await finish({
        channel,
        connection: conn.connection,
        p,
        shown: redactArgv(argv),
        opts,
        collect,
        onOpened: (closedSignal) => releaseWhenClosed(conn, closedSignal),
      });
    } catch (err) {
      counters.commandsFailed += 1;
      throw err;
    } finally {
      held.release();
    }
  }

  return {
    exec: (target, argv, opts = {}) => execute(target, argv, opts, true),
    stream: (target, argv, opts) => execute(target, argv, opts, false),

    async withSession(target, fn) {
      const p = prepare(target);
      const held = await permit(p);
      let conn: Lease<SshConnection> | undefined;
      let queue: Promise<unknown> = Promise.resolve();
      try {
        conn = await lease(p);
        const connection = conn.connection;
        const serial = <T>(job: () => Promise<T>): Promise<T> => {
          const next = queue.then(job);
          queue = next.catch(() => undefined);
          return next;
        };
        const command = (argv: Argv, opts: ExecOptions, collect: boolean): Promise<ExecResult> =>
          serial(async () => {
            counters.commandsStarted += 1;
            try {
              return await run(connection, p, argv, opts, collect);
            } catch (err) {
              counters.commandsFailed += 1;
              throw err;
            }
          });
        const session: RemoteSession = {
          hostKey: connection.hostKey,
          exec: (argv, opts = {}) => command(argv, opts, true),
          stream: (argv, opts) => command(argv, opts, false),
        };
        return await fn(session);
      } finally {
        await queue;
        conn?.release(conn.connection.isOpen() === false);
        held.release();
      }
    },

    async openShell(target, opts) {
      assertShellOptions(opts);
      const p = prepare(target);
      return startShell(await lease(p), opts);
    },

    async openResident(target, argv, opts) {
      const p = prepare(target);
      const { held, channel } = await openExec(p, buildCommand(argv, undefined));
      const connection = held.connection;
      const resident = startResident({
        channel,
        hostKey: connection.hostKey,
        endpoint: p.endpoint,
        argv: redactArgv(argv),
        kill: killer(connection),
        clock,
        options: opts,
      });
      void resident.closed.then(() => held.release(!connection.isOpen()));
      return resident;
    },

    evict(target) {
      pool.evict(prepare(target).poolKey);
    },

    metrics(): ExecutorMetrics {
      return { ...pool.metrics(), ...counters, activeOperations: gate.active, activeOperationsPeak: gate.peak };
    },

    resetPeaks() {
      pool.resetPeaks();
      gate.resetPeak();
    },

    async close() {
      closed = true;
      pool.close();
    },
  };
}

/** Turns how the command ended into a result, or into the error the caller should see. */
function judge(outcome: ChannelOutcome, p: Prepared, shown: string[], opts: ExecOptions): ExecResult {
  if (outcome.exitCode === null && outcome.signal === null) {
    throw sshError(
      'STEWARD_SSH_UNREACHABLE',
      p.endpoint,
      'The connection closed before the command reported how it ended; it may have run in part',
      {
        phase: 'command',
        argv: shown,
      },
    );
  }
  const accepted = opts.acceptExitCodes ?? [0];
  if (outcome.exitCode === null || !accepted.includes(outcome.exitCode)) {
    throw new ExecError({
      endpoint: p.endpoint,
      argv: shown,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      stderr: scrub(outcome.stderr.subarray(-STDERR_IN_ERRORS).toString('utf8'), p.target, opts),
      durationMs: outcome.durationMs,
    });
  }
  return {
    exitCode: outcome.exitCode,
    stdout: outcome.stdout.toString('utf8'),
    stderr: outcome.stderr.toString('utf8'),
    stdoutBytes: outcome.stdout,
    stderrBytes: outcome.stderr,
    stdoutTruncated: outcome.stdoutTruncated,
    stderrTruncated: outcome.stderrTruncated,
    durationMs: outcome.durationMs,
  };
}

function buildCommand(argv: Argv, cwd: string | undefined): ShellCommand {
  if (!Array.isArray(argv) || argv.length === 0) return toShellCommand(argv);
  if (cwd === undefined) return commandWithPidReport(argv);
  assertValidRemotePath(cwd, 'cwd');
  return commandWithPidReport(['cd', '--', cwd, shellFragment('&&'), ...argv]);
}

/** Kills a timed-out command's process group over a second channel of the same connection. */
function killer(connection: SshConnection): RemoteKiller {
  return async (pid) => {
    const channel = await connection.openExec(toShellCommand(['kill', '-s', 'KILL', '--', `-${pid}`]));
    channel.on('data', () => undefined);
    channel.stderr.on('data', () => undefined);
    channel.end();
    await new Promise<void>((resolve) => channel.once('close', () => resolve()));
  };
}

function releaseWhenClosed(held: Lease<SshConnection>, closed: Promise<void>): void {
  const timer = setTimeout(() => held.release(true), CHANNEL_CLOSE_GRACE_MS);
  timer.unref();
  void closed.then(() => {
    clearTimeout(timer);
    held.release();
  });
}

/** A command may echo what it was given; the stdin secret and the login password never reach an error. */
function scrub(text: string, target: SshTarget, opts: ExecOptions): string {
  const secrets: string[] = [];
  if (opts.stdin instanceof Secret) {
    const value = opts.stdin.reveal();
    secrets.push(typeof value === 'string' ? value : value.toString('utf8'));
  }
  if (target.auth.kind === 'password') secrets.push(target.auth.password.reveal());
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('[REDACTED]');
  return out;
}

function resolveSettings(options: SshExecutorOptions): { -readonly [K in keyof typeof DEFAULTS]: number } {
  const out = { ...DEFAULTS } as { -readonly [K in keyof typeof DEFAULTS]: number };
  for (const name of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw new AppError('STEWARD_CONFIG_INVALID', `SSH executor option ${name} must be a positive whole number.`, {
        field: name,
      });
    }
    out[name] = value;
  }
  return out;
}
