/**
 * A resident command: one exec channel kept open and fed requests on stdin, each answered on stdout and ended by
 * a line the caller names (a random marker, so nothing the command prints can forge it). Standing work that runs
 * every few seconds (metrics sampling) sends its program once and then a few hundred bytes per request, instead
 * of a channel open, an exec, the whole program, EOF and close every time.
 *
 * Requests run one at a time. A request that times out, or whose answer outgrows its limit, kills the command's
 * process group (like an exec that times out) and ends the resident; so does an idle spell longer than `idleMs`.
 */
import type { ClientChannel } from 'ssh2';
import type { Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';
import { sshError, type Endpoint } from './errors.js';
import type { PresentedHostKey } from './host-key.js';
import { PidLineReader, type RemoteKiller } from './run-command.js';

export interface ResidentRequestOptions {
  /** The answer ends with a line starting with this (at least 16 characters, fresh per request). */
  readonly endPrefix: string;
  readonly timeoutMs: number;
  /** Most bytes of stdout an answer may have; more ends the resident and fails the request. */
  readonly maxOutputBytes: number;
}

export interface ResidentAnswer {
  /** What the command printed for this request, without the end line. */
  readonly stdout: Buffer;
  /** The end line after the prefix, without the newline (e.g. an exit status the program prints there). */
  readonly endRest: string;
  readonly durationMs: number;
}

/** A command kept running on its own channel. Holds one channel slot of its connection until it ends. */
export interface ResidentHandle {
  readonly hostKey: PresentedHostKey;
  /** Writes `input` to the command and waits for the answer. Requests are queued, one at a time. */
  request(input: string, opts: ResidentRequestOptions): Promise<ResidentAnswer>;
  /** False once the command ended, was closed or was killed. */
  isOpen(): boolean;
  /** Ends the command: EOF on its stdin when idle, its process group killed when a request is running. */
  close(): void;
  /** Settles when the channel has closed, however it ended. */
  readonly closed: Promise<void>;
}

export interface ResidentOptions {
  /** Ends the resident after this long without a request. */
  readonly idleMs: number;
}

const END_PREFIX = /^[\x21-\x7e][\x20-\x7e]{15,127}$/;
/** The longest end line looked for at the end of the output. */
const END_LINE_MAX = 512;
const STDERR_KEPT = 2048;

interface Pending {
  readonly opts: ResidentRequestOptions;
  readonly started: number;
  readonly resolve: (a: ResidentAnswer) => void;
  readonly reject: (e: unknown) => void;
  readonly timer: NodeJS.Timeout;
  readonly chunks: Buffer[];
  size: number;
}

export function startResident(input: {
  readonly channel: ClientChannel;
  readonly hostKey: PresentedHostKey;
  readonly endpoint: Endpoint;
  readonly argv: readonly string[];
  readonly kill: RemoteKiller;
  readonly clock: Clock;
  readonly options: ResidentOptions;
}): ResidentHandle {
  const { channel, endpoint, argv, clock } = input;
  const pidReader = new PidLineReader();
  let stderrTail = Buffer.alloc(0);
  let open = true;
  let current: Pending | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  let idleTimer: NodeJS.Timeout | undefined;

  const armIdle = (): void => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => close(), input.options.idleMs);
    idleTimer.unref();
  };

  const kill = (): void => {
    const pid = pidReader.pid;
    channel.close();
    if (pid !== undefined && pid > 1) input.kill(pid).catch(() => undefined);
  };

  const fail = (err: unknown): void => {
    const p = current;
    current = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(err);
  };

  function close(): void {
    if (!open) return;
    open = false;
    clearTimeout(idleTimer);
    if (current) {
      kill();
      fail(
        sshError('STEWARD_SSH_UNREACHABLE', endpoint, 'The resident command was closed', { phase: 'command', argv }),
      );
    } else {
      channel.end(); // EOF: the program's read loop ends and so does the command
    }
  }

  const closed = new Promise<void>((resolve) =>
    channel.once('close', () => {
      open = false;
      clearTimeout(idleTimer);
      const detail = stderrTail.toString('utf8').trim().slice(-300);
      fail(
        sshError(
          'STEWARD_SSH_UNREACHABLE',
          endpoint,
          `The resident command ended before it answered${detail ? `: ${detail}` : ''}`,
          { phase: 'command', argv },
        ),
      );
      resolve();
    }),
  );
  channel.on('error', (err: Error) => {
    fail(
      sshError(
        'STEWARD_SSH_PROTOCOL',
        endpoint,
        `The command channel failed: ${err.message}`,
        { phase: 'command', argv },
        err,
      ),
    );
    kill();
  });
  channel.stderr.on('data', (chunk: Buffer) => {
    const own = pidReader.push(chunk);
    if (own.length > 0) stderrTail = Buffer.concat([stderrTail, own]).subarray(-STDERR_KEPT);
  });
  channel.on('data', (chunk: Buffer) => {
    const p = current;
    if (!p) return; // nothing asked: output between requests is not anyone's answer
    p.chunks.push(chunk);
    p.size += chunk.length;
    if (p.size > p.opts.maxOutputBytes + END_LINE_MAX) {
      const limit = p.opts.maxOutputBytes;
      fail(
        sshError('STEWARD_SSH_PROTOCOL', endpoint, `The answer exceeded ${limit} bytes`, { phase: 'command', argv }),
      );
      open = false;
      kill();
      return;
    }
    if (chunk[chunk.length - 1] !== 0x0a) return;
    const end = endLine(p.chunks, p.size, p.opts.endPrefix);
    if (!end) return;
    current = undefined;
    clearTimeout(p.timer);
    const all = Buffer.concat(p.chunks, p.size);
    armIdle();
    p.resolve({
      stdout: all.subarray(0, end.start),
      endRest: end.rest,
      durationMs: clock.nowMs() - p.started,
    });
  });
  armIdle();

  function request(text: string, opts: ResidentRequestOptions): Promise<ResidentAnswer> {
    if (!END_PREFIX.test(opts.endPrefix)) {
      throw new AppError('STEWARD_INVALID_REMOTE_ARGUMENT', 'The end marker must be 16 to 128 printable characters.', {
        field: 'endPrefix',
      });
    }
    const run = (): Promise<ResidentAnswer> =>
      new Promise<ResidentAnswer>((resolve, reject) => {
        if (!open) {
          reject(
            sshError('STEWARD_SSH_UNREACHABLE', endpoint, 'The resident command has ended', { phase: 'command', argv }),
          );
          return;
        }
        clearTimeout(idleTimer);
        const timer = setTimeout(() => {
          fail(
            sshError(
              'STEWARD_SSH_TIMEOUT',
              endpoint,
              `The command did not answer within ${opts.timeoutMs} ms and was killed`,
              {
                phase: 'command',
                argv,
                timeoutMs: opts.timeoutMs,
              },
            ),
          );
          open = false;
          kill();
        }, opts.timeoutMs);
        current = { opts, started: clock.nowMs(), resolve, reject, timer, chunks: [], size: 0 };
        channel.write(text);
      });
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  }

  return { hostKey: input.hostKey, request, isOpen: () => open, close, closed };
}

/** Where the answer's end line starts and what follows its prefix, when the output ends with it. */
function endLine(chunks: readonly Buffer[], size: number, prefix: string): { start: number; rest: string } | null {
  // The end line is the last line: look at the output's last few hundred bytes only.
  const parts: Buffer[] = [];
  let taken = 0;
  for (let i = chunks.length - 1; i >= 0 && taken < END_LINE_MAX; i--) {
    parts.unshift(chunks[i]!);
    taken += chunks[i]!.length;
  }
  const tail = Buffer.concat(parts, taken).subarray(-END_LINE_MAX);
  const body = tail.subarray(0, tail.length - 1); // without the final newline
  const lineStart = body.lastIndexOf(0x0a) + 1;
  if (lineStart === 0 && tail.length < size) return null; // a line longer than END_LINE_MAX is not the end line
  const line = body.subarray(lineStart).toString('latin1');
  if (!line.startsWith(prefix)) return null;
  return { start: size - tail.length + lineStart, rest: line.slice(prefix.length) };
}
