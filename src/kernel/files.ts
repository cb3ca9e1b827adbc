import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';

/** Takes group and other bits off a file or folder of ours (a folder someone made 0755 becomes 0700). */
function tighten(path: string): void {
  const stat = statSync(path);
  const own = typeof process.getuid !== 'function' || stat.uid === process.getuid();
  if (own && (stat.mode & 0o077) !== 0) chmodSync(path, stat.mode & 0o700);
}

/**
 * Steward's data folder: created 0700, and an existing one of ours narrowed to its owner. A shared folder (sticky,
 * as /tmp is) is left as it is: a data file put straight in it is still made private, and narrowing the folder
 * would lock every other user of the machine out of it.
 */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((statSync(dir).mode & 0o1000) === 0) tighten(dir);
}

/**
 * A data file readable only by its owner: created empty with mode 0600 when missing (SQLite then makes its -wal and
 * -shm files with the same mode), narrowed when it exists; `companions` (suffixes) are narrowed when present.
 */
export function ensurePrivateFile(path: string, companions: readonly string[] = []): void {
  closeSync(openSync(path, 'a', 0o600));
  tighten(path);
  for (const suffix of companions) if (existsSync(path + suffix)) tighten(path + suffix);
}
