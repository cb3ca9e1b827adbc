/**
 * Interactive shells on a PTY, for the web terminal. The shell holds its channel slot until it ends;
 * closing the channel hangs up the PTY, so sshd ends the shell's whole session.
 */
import { AppError } from '../kernel/errors.js';
import type { SshConnection } from './connection.js';
import type { ShellHandle, ShellOptions } from './executor.types.js';
import type { Lease } from './pool.js';

const TERM = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

function assertSize(cols: unknown, rows: unknown): void {
  const ok = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 10_000;
  if (!ok(cols) || !ok(rows)) {
    throw new AppError(
      'STEWARD_INVALID_REMOTE_ARGUMENT',
      'Terminal columns and rows must be whole numbers from 1 to 10000.',
      { field: 'cols/rows' },
    );
  }
}

export function assertShellOptions(opts: ShellOptions): void {
  assertSize(opts?.cols, opts?.rows);
  if (typeof opts.term !== 'string' || !TERM.test(opts.term)) {
    throw new AppError('STEWARD_INVALID_REMOTE_ARGUMENT', 'The terminal type must be a name like "xterm-256color".', {
      field: 'term',
    });
  }
}

export async function startShell(lease: Lease<SshConnection>, opts: ShellOptions): Promise<ShellHandle> {
  const connection = lease.connection;
  let channel;
  try {
    channel = await connection.openShell({ cols: opts.cols, rows: opts.rows, term: opts.term });
  } catch (err) {
    lease.release(!connection.isOpen());
    throw err;
  }
  const status = { exitCode: null as number | null, signal: null as string | null };
  channel.on('exit', (code: number | null, signal?: string) => {
    status.exitCode = typeof code === 'number' ? code : null;
    status.signal = typeof signal === 'string' ? signal : null;
  });
  // A terminal stream with no reader must not stall the connection's other channels forever; the caller
  // attaches its reader right away, and errors surface through `exited`.
  channel.on('error', () => undefined);
  const exited = new Promise<{ exitCode: number | null; signal: string | null }>((resolve) => {
    channel.once('close', (code?: number | null, signal?: string) => {
      if (status.exitCode === null && status.signal === null) {
        status.exitCode = typeof code === 'number' ? code : null;
        status.signal = typeof signal === 'string' ? signal : null;
      }
      lease.release();
      resolve({ ...status });
    });
  });
  return {
    stream: channel,
    hostKey: connection.hostKey,
    resize(cols, rows) {
      assertSize(cols, rows);
      channel.setWindow(rows, cols, 0, 0);
    },
    close() {
      channel.close();
    },
    exited,
  };
}
