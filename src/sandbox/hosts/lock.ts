import { spawn } from 'node:child_process';
import { AppError } from '../../kernel/errors.js';
import { HOST_ENV } from './exec.js';

/**
 * Runs `fn` holding an exclusive flock(2) on `path`, shared by every process on this machine.
 *
 * The lock is held by a small `flock … cat` child reading our stdin pipe: closing the pipe releases it, and so
 * does our death (the kernel closes the pipe, `cat` ends, the lock file's descriptor goes). A lock file holding
 * a pid would instead need guessing whether a dead owner's lock is stale, which races between two waiters.
 */
export async function withFileLock<T>(path: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  // `printf` runs only once flock holds the lock, so its output is the signal.
  const child = spawn(
    'flock',
    ['--exclusive', '--wait', seconds, path, 'sh', '-c', 'printf locked && exec cat >/dev/null'],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: HOST_ENV,
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin.on('error', () => undefined);
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  const acquired = await new Promise<boolean>((resolve, reject) => {
    child.on('error', (e) =>
      reject(new AppError('STEWARD_TESTHOSTS_PREREQUISITES', `Cannot run flock (util-linux): ${e.message}`)),
    );
    child.stdout.once('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!acquired) {
    throw new AppError(
      'STEWARD_TESTHOSTS_TIMEOUT',
      `Waited ${seconds} s for the lock ${path} and did not get it. ${stderr.trim()}`.trim(),
      { path },
    );
  }
  try {
    return await fn();
  } finally {
    child.stdin.end();
    await exited;
  }
}
