/**
 * Drives one exec channel: feeds stdin, collects and streams output, enforces the time limit and reports
 * how the command ended. It knows nothing about pooling or which statuses count as success.
 *
 * Killing a remote command needs its process group id. Closing the channel is not enough (sshd leaves a
 * command without a terminal running), and OpenSSH refuses the SSH `signal` request for root sessions,
 * which skip privilege separation. So every command first reports its shell's pid on
 * stderr (`steward-pid=<n>`); the runner strips that line and, on timeout or abort, kills the group
 * over a second channel on the same connection.
 */
import type { Readable, Writable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import type { Clock } from '../kernel/clock.js';
import { Secret } from '../kernel/secret.js';
import { shellFragment, toShellCommand, type Argv, type ShellCommand } from './argv.js';
import { sshError, type Endpoint } from './errors.js';

const PID_LINE = /^steward-pid=(\d{1,10})\n/;
const PID_LINE_MAX = 32;

/** The command as sent: the pid report, then the caller's argv. */
export function commandWithPidReport(argv: Argv): ShellCommand {
  return toShellCommand(['printf', 'steward-pid=%s\\n', shellFragment('"$$"'), shellFragment('>&2;'), ...argv]);
}

/** Kills the remote process group `pid` (the command's shell leads its own session). */
export type RemoteKiller = (pid: number) => Promise<void>;

export type StdinInput = string | Buffer | Secret<string | Buffer>;

export interface ChannelRunOptions {
  readonly stdin?: StdinInput;
  readonly stdinStream?: Readable;
  readonly stdoutSink?: Writable;
  readonly timeoutMs: number;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
  readonly collectStdout: boolean;
  /** Per stream; output beyond it still reaches the callbacks but is not kept. */
  readonly maxOutputBytes: number;
  readonly signal?: AbortSignal;
  readonly kill: RemoteKiller;
}

export interface ChannelOutcome {
  /** `null` when the command was killed by a signal (then `signal` is e.g. `SIGTERM`) or never reported a status. */
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly stdoutTruncated: boolean;
  readonly stderrTruncated: boolean;
  readonly durationMs: number;
}

export interface ChannelRun {
  /** Settles when the command has ended, timed out or was aborted. */
  readonly outcome: Promise<ChannelOutcome>;
  /** Settles when the channel is closed on both sides, so its slot can be reused. */
  readonly closed: Promise<void>;
}

class Collector {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;

  constructor(
    private readonly limit: number,
    private readonly keep: boolean,
  ) {}

  add(chunk: Buffer): void {
    if (!this.keep) return;
    const room = this.limit - this.#size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (part.length < chunk.length) this.truncated = true;
    this.#chunks.push(Buffer.from(part));
    this.#size += part.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }
}

/** Takes the pid line off the front of stderr, however the bytes are split into chunks. */
export class PidLineReader {
  #pending: Buffer | undefined = Buffer.alloc(0);
  pid: number | undefined;

  /** Returns the bytes that belong to the command's own stderr. */
  push(chunk: Buffer): Buffer {
    if (this.#pending === undefined) return chunk;
    const data = Buffer.concat([this.#pending, chunk]);
    const newline = data.indexOf(0x0a);
    if (newline < 0 && data.length < PID_LINE_MAX) {
      this.#pending = data;
      return Buffer.alloc(0);
    }
    this.#pending = undefined;
    const match = PID_LINE.exec(data.subarray(0, PID_LINE_MAX).toString('latin1'));
    if (!match?.[1]) return data;
    this.pid = Number(match[1]);
    return data.subarray(match[0].length);
  }

  /** Whatever was held back, when the stream ends before a full line. */
  flush(): Buffer {
    const rest = this.#pending ?? Buffer.alloc(0);
    this.#pending = undefined;
    return rest;
  }
}

export function runOnChannel(
  channel: ClientChannel,
  options: ChannelRunOptions,
  endpoint: Endpoint,
  argv: readonly string[],
  clock: Clock,
): ChannelRun {
  const started = clock.nowMs();
  const stdout = new Collector(options.maxOutputBytes, options.collectStdout);
  const stderr = new Collector(options.maxOutputBytes, true);
  const pidReader = new PidLineReader();
  const takeStderr = (chunk: Buffer): void => {
    if (chunk.length === 0) return;
    stderr.add(chunk);
    options.onStderr?.(chunk);
  };
  const stop = (): void => {
    const pid = pidReader.pid;
    channel.close();
    if (pid !== undefined && pid > 1) options.kill(pid).catch(() => undefined);
  };
  let exitCode: number | null = null;
  let exitSignal: string | null = null;

  const closed = new Promise<void>((resolve) => channel.once('close', () => resolve()));
  const outcome = new Promise<ChannelOutcome>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };

    const timer = setTimeout(() => {
      stop();
      finish(() =>
        reject(
          sshError(
            'STEWARD_SSH_TIMEOUT',
            endpoint,
            `The command did not finish within ${options.timeoutMs} ms and was killed`,
            {
              phase: 'command',
              argv,
              timeoutMs: options.timeoutMs,
              durationMs: clock.nowMs() - started,
            },
          ),
        ),
      );
    }, options.timeoutMs);

    const onAbort = (): void => {
      stop();
      finish(() => reject(options.signal?.reason ?? new Error('aborted')));
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    const sink = options.stdoutSink;
    channel.on('data', (chunk: Buffer) => {
      stdout.add(chunk);
      options.onStdout?.(chunk);
      if (sink && !sink.write(chunk)) {
        channel.pause();
        sink.once('drain', () => channel.resume());
      }
    });
    const failed = (what: string) => (err: Error) => {
      stop();
      finish(() =>
        reject(
          sshError('STEWARD_SSH_PROTOCOL', endpoint, `${what} failed: ${err.message}`, { phase: 'command', argv }, err),
        ),
      );
    };
    sink?.on('error', failed('Writing the command output'));
    channel.stderr.on('data', (chunk: Buffer) => takeStderr(pidReader.push(chunk)));
    channel.on('exit', (code: number | null, signal?: string) => {
      exitCode = typeof code === 'number' ? code : null;
      exitSignal = typeof signal === 'string' ? signal : null;
    });
    channel.on('error', (err: Error) =>
      finish(() =>
        reject(
          sshError(
            'STEWARD_SSH_PROTOCOL',
            endpoint,
            `The command channel failed: ${err.message}`,
            { phase: 'command', argv },
            err,
          ),
        ),
      ),
    );
    // ssh2 can parse a short command's whole life (success, output, exit status, close) from one socket
    // read, before our listeners exist; `close` repeats the exit status, so it is the reliable source.
    channel.once('close', (code?: number | null, signal?: string) => {
      if (exitCode === null && exitSignal === null) {
        exitCode = typeof code === 'number' ? code : null;
        exitSignal = typeof signal === 'string' ? signal : null;
      }
      takeStderr(pidReader.flush());
      finish(() =>
        resolve({
          exitCode,
          signal: exitSignal,
          stdout: stdout.bytes(),
          stderr: stderr.bytes(),
          stdoutTruncated: stdout.truncated,
          stderrTruncated: stderr.truncated,
          durationMs: clock.nowMs() - started,
        }),
      );
    });

    // Stdin is written and closed at once; a command that reads it gets EOF after the data.
    const input = options.stdin instanceof Secret ? options.stdin.reveal() : options.stdin;
    const source = options.stdinStream;
    if (source) {
      if (input !== undefined) channel.write(input);
      source.on('error', failed('Reading the command input'));
      source.pipe(channel);
    } else if (input === undefined) channel.end();
    else channel.end(input);
  });
  return { outcome, closed };
}
