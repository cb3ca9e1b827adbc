/**
 * Files on the server: read one, and replace one atomically. Content always travels over stdin. A replacement
 * is written to a temporary file next to the target (same file system, so the final `mv` is atomic), given its
 * mode and owner, optionally validated by the program that will read it, and only then moved into place: a
 * reader never sees half a file, and a file the program rejects never replaces a working one.
 */
import { ExecError, type Argv } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';
import { failure, inspect, sh } from './exec.js';

/** Prints the file, or exits 3 when it does not exist. Refuses to follow a symlink in place of the file. */
const READ_SCRIPT = '[ -L "$1" ] && { echo "$1 is a symbolic link" >&2; exit 4; }; [ -e "$1" ] || exit 3; cat -- "$1"';

/**
 * $1 target, $2 mode (octal), $3 owner[:group], then an optional validator argv to which the temporary path is
 * appended. The temporary name has a dot and no .conf suffix, so neither sudo's includedir nor sshd's
 * `Include *.conf` reads it while it is being written. Exit 3 means the validator rejected the content.
 */
const WRITE_SCRIPT = `
set -e
target=$1 mode=$2 owner=$3
shift 3
[ -L "$target" ] && { echo "$target is a symbolic link; not replacing it" >&2; exit 4; }
mkdir -p -m 755 -- "$(dirname -- "$target")"
umask 077
tmp=$(mktemp "$target.steward-XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
chmod "$mode" -- "$tmp"
chown "$owner" -- "$tmp"
if [ $# -gt 0 ]; then
  "$@" "$tmp" >&2 || exit 3
fi
mv -f -- "$tmp" "$target"
trap - EXIT
`;

/** The file's text, or undefined when it does not exist. */
export async function readFile(ctx: TaskContext, path: string): Promise<string | undefined> {
  const result = await inspect(ctx, sh(READ_SCRIPT, path), { acceptExitCodes: [0, 3] });
  return result.exitCode === 3 ? undefined : result.stdout;
}

export interface WriteFileOptions {
  readonly path: string;
  readonly content: string;
  /** Octal, e.g. `0o644`. */
  readonly mode: number;
  /** Default `root:root`. */
  readonly owner?: string;
  /** A program that checks the new content, given the temporary file's path as its last argument. */
  readonly validate?: Argv;
  /** Names the file for people in an error ("the sudoers file"). */
  readonly what?: string;
}

export async function writeFile(ctx: TaskContext, opts: WriteFileOptions): Promise<void> {
  const args = [opts.path, opts.mode.toString(8), opts.owner ?? 'root:root'];
  const argv = [...sh(WRITE_SCRIPT, ...args), ...(opts.validate ?? [])];
  try {
    await inspect(ctx, argv, { stdin: opts.content });
  } catch (error) {
    const rejected = error instanceof ExecError && error.exitCode === 3;
    const what = opts.what ?? opts.path;
    if (rejected)
      throw failure(
        'STEWARD_RECIPE_CONFIG_REJECTED',
        `The server rejected the new ${what}; the old one was kept`,
        error,
        { path: opts.path },
      );
    throw failure('STEWARD_RECIPE_FILE_FAILED', `Could not write ${what}`, error, { path: opts.path });
  }
}

/** Mode and owner as `stat` prints them ("644 root:root"), or undefined when the file does not exist. */
export async function fileMeta(ctx: TaskContext, path: string): Promise<{ mode: string; owner: string } | undefined> {
  const result = await inspect(ctx, sh('[ -e "$1" ] || exit 3; stat -c "%a %U:%G" -- "$1"', path), {
    acceptExitCodes: [0, 3],
  });
  if (result.exitCode === 3) return undefined;
  const [mode = '', owner = ''] = result.stdout.trim().split(' ');
  return { mode, owner };
}
