import { readFileSync } from 'node:fs';
import { execSync } from './exec.js';

/** Mount points of this process's mount namespace (the machine's, for the test process). */
export function mountPoints(): string[] {
  const text = readFileSync('/proc/self/mounts', 'utf8');
  // Paths are octal-escaped there (a space is \040).
  return text
    .split('\n')
    .map((line) => line.split(' ')[1])
    .filter((p): p is string => p !== undefined && p !== '')
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))));
}

const under =
  (dir: string) =>
  (p: string): boolean =>
    p === dir || p.startsWith(`${dir}/`);

/**
 * Unmounts everything at or below each of `dirs`, deepest first, with one `umount` for all; anything busy is
 * then detached lazily, which takes it out of the mount table at once. Returns the folders where something
 * is still mounted: deleting those would reach through into a mounted file system.
 */
export function unmountUnderSync(dirs: readonly string[]): string[] {
  const inside = (p: string): boolean => dirs.some((d) => under(d)(p));
  const targets = mountPoints()
    .filter(inside)
    .sort((a, b) => b.length - a.length);
  if (targets.length > 0 && execSync('umount', targets).code !== 0) {
    const left = mountPoints()
      .filter(inside)
      .sort((a, b) => b.length - a.length);
    if (left.length > 0) execSync('umount', ['--lazy', ...left]);
  }
  const still = mountPoints();
  return dirs.filter((d) => still.some(under(d)));
}

/** Unmounts everything at or below `dir`; true when nothing is left mounted there. */
export function unmountUnder(dir: string): boolean {
  return unmountUnderSync([dir]).length === 0;
}
