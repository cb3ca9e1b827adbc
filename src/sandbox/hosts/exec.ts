import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import { AppError } from '../../kernel/errors.js';

/** A finished child process, output kept as bytes (file contents pass through here). */
export interface ExecResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
  readonly timedOut: boolean;
}

export interface ExecOptions {
  readonly stdin?: string | Buffer;
  readonly timeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Start the child in a process group of its own and, on timeout, kill the whole group: what nsenter starts
   * inside a host is its grandchild, which killing nsenter alone would leave running.
   */
  readonly killGroup?: boolean;
}

/** The environment commands get inside a host: nothing of the caller's leaks in. */
export const HOST_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  TERM: 'dumb',
};

const MAX_OUTPUT = 64 * 1024 * 1024;

/** Runs `file argv…` without a shell. Resolves for any exit code; rejects only if it cannot be started. */
export function exec(file: string, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? HOST_ENV,
      detached: opts.killGroup === true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      // A runaway command must not take the test process's memory with it.
      if (size > MAX_OUTPUT) child.kill('SIGKILL');
      else into.push(chunk);
    };
    child.stdout.on('data', keep(out));
    child.stderr.on('data', keep(err));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            if (opts.killGroup && child.pid !== undefined) {
              try {
                process.kill(-child.pid, 'SIGKILL');
              } catch {
                // the group is already gone
              }
            }
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(
        new AppError('STEWARD_TESTHOSTS_SETUP_FAILED', `Cannot start ${file}: ${e.message}`, { file }, { cause: e }),
      );
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 + signalNumber(signal) : 1),
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        timedOut,
      });
    });
    // The child may exit before reading its input (EPIPE); its exit code tells the story.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

/** Blocking variant for exit handlers, where the event loop no longer runs. Never throws. */
export function execSync(file: string, argv: readonly string[], input?: string): { code: number; stderr: string } {
  const r = spawnSync(file, argv, {
    input: input ?? '',
    stdio: ['pipe', 'ignore', 'pipe'],
    env: HOST_ENV,
    timeout: 30_000,
  });
  return { code: r.status ?? 1, stderr: r.stderr?.toString('utf8') ?? String(r.error ?? '') };
}

export function commandFailed(file: string, argv: readonly string[], result: ExecResult): AppError {
  const how = result.timedOut ? 'timed out' : `exited with ${result.code}`;
  const stderr = result.stderr.toString('utf8').trim().slice(-2000);
  return new AppError(
    'STEWARD_TESTHOSTS_SETUP_FAILED',
    `${[file, ...argv].join(' ')} ${how}${stderr ? `: ${stderr}` : ''}`,
    {
      file,
      code: result.code,
    },
  );
}

function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal] ?? 0;
}
