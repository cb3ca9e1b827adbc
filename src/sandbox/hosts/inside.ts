import { AppError, notFound } from '../../kernel/errors.js';
import { exec, commandFailed, type ExecResult } from './exec.js';
import type { ProcessRef } from './proc.js';

/**
 * How to reach into an isolated host without SSH: through the namespaces of its pid 1 while it runs, or a
 * plain chroot into its disk while it is stopped (files are the same overlay either way).
 */
export type Way =
  { readonly kind: 'nsenter'; readonly init: ProcessRef } | { readonly kind: 'chroot'; readonly merged: string };

export const DEFAULT_RUN_TIMEOUT_MS = 60_000;

function command(way: Way, argv: readonly string[]): [string, string[]] {
  if (way.kind === 'chroot') return ['chroot', [way.merged, ...argv]];
  // --root and --wd without a value take pid 1's own root and folder: the host's `/`.
  return [
    'nsenter',
    ['--target', String(way.init.pid), '--mount', '--uts', '--ipc', '--net', '--pid', '--root', '--wd', '--', ...argv],
  ];
}

export function checkArgv(argv: readonly string[]): void {
  if (argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) {
    throw new AppError(
      'STEWARD_TESTHOSTS_INVALID_SPEC',
      'argv must be a non-empty array of strings without NUL bytes.',
    );
  }
}

export function runInside(
  way: Way,
  argv: readonly string[],
  opts: { stdin?: string | Buffer; timeoutMs?: number } = {},
): Promise<ExecResult> {
  checkArgv(argv);
  const [file, args] = command(way, argv);
  return exec(file, args, { stdin: opts.stdin, timeoutMs: opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS, killGroup: true });
}

export async function mustRunInside(way: Way, argv: readonly string[], stdin?: string | Buffer): Promise<ExecResult> {
  const result = await runInside(way, argv, { stdin });
  if (result.code !== 0 || result.timedOut) throw commandFailed(argv[0] ?? '', argv.slice(1), result);
  return result;
}

function checkPath(path: string): void {
  if (!path.startsWith('/') || path.includes('\0'))
    throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `A host path must be absolute: ${JSON.stringify(path)}`);
}

/**
 * Written by a shell inside the host, so a symlink in the host resolves within the host, never onto this
 * machine's files. umask 077 first: content may be secret until chmod sets the mode asked for.
 */
const WRITE_SCRIPT =
  'set -e; umask 077; mkdir -p -- "$(dirname -- "$1")"; cat > "$1"; chmod "$2" -- "$1"; if [ -n "$3" ]; then chown -- "$3" "$1"; fi';

export async function writeInside(
  way: Way,
  path: string,
  content: string | Buffer,
  mode = 0o644,
  owner = '',
): Promise<void> {
  checkPath(path);
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777)
    throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `File mode ${mode} is invalid.`);
  if (!/^$|^[a-z_][a-z0-9_.-]*(:[a-z_][a-z0-9_.-]*)?$/i.test(owner))
    throw new AppError('STEWARD_TESTHOSTS_INVALID_SPEC', `File owner ${JSON.stringify(owner)} is invalid.`);
  await mustRunInside(way, ['/bin/sh', '-c', WRITE_SCRIPT, 'steward-write', path, mode.toString(8), owner], content);
}

export async function readInside(way: Way, path: string): Promise<Buffer> {
  checkPath(path);
  const result = await runInside(way, ['/bin/cat', '--', path]);
  if (result.code === 0) return result.stdout;
  if (/No such file/.test(result.stderr.toString('utf8'))) throw notFound(`File ${path} on the test host`);
  throw commandFailed('cat', [path], result);
}
