/**
 * Runs the discovery script's prologue and system sections, then a test's own lines, under each shell discovery
 * must work in (the tests of the identity and os sections' shell code).
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { PROLOGUE } from '../src/core/discovery/collect/script/prologue.js';
import { SYSTEM_SECTIONS } from '../src/core/discovery/collect/script/sections-system.js';

/** dash (Debian's sh), bash in POSIX mode, and busybox's ash (Alpine's sh). */
export const SHELLS: readonly (readonly string[])[] = [['dash'], ['bash', '--posix'], ['busybox', 'sh']];

/** Fails, saying how to install them, where a shell in SHELLS is missing. */
export function expectShells(): void {
  for (const s of SHELLS) {
    expect(
      spawnSync('sh', ['-c', `command -v ${s[0]}`]).status,
      `${s[0]} is needed for this test: npm test installs it (scripts/testhosts-prereqs.sh)`,
    ).toBe(0);
  }
}

/** The prologue and the system sections' functions with the limits they read, then `body`, under `shell`; stdout. */
export function runSystemSections(shell: readonly string[], boundary: string, body: readonly string[]): string {
  const script = [`B=${boundary}`, 'NLOG=5', 'MAXFILES=300', 'MAXBYTES=65536', 'TSEC=20', PROLOGUE, SYSTEM_SECTIONS];
  const input = [...script, ...body].join('\n');
  const r = spawnSync(shell[0] ?? 'sh', [...shell.slice(1), '-s'], { input, encoding: 'utf8' });
  expect(r.status, `${shell.join(' ')} failed: ${r.stderr}`).toBe(0);
  return r.stdout;
}
