/**
 * docs/decisions/0003-remote-execution.md: ssh2 accepts any host key when `hostVerifier` is missing, so in production code only
 * connection.ts may create an ssh2 Client, and it must always pass a verifier. Test helpers that speak
 * SSH on their own (to check the test fleet itself) must at least pass a real verifier.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SCANNED = ['src', 'testkit', 'test', 'bench', 'scripts'];

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.')) return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

describe('ssh2 usage', () => {
  const files = SCANNED.flatMap((d) => sourceFiles(join(ROOT, d))).map((path) => ({
    path: relative(ROOT, path),
    text: readFileSync(path, 'utf8'),
  }));

  const createsClient = (text: string): boolean =>
    /['"]ssh2['"]/.test(text) && /\bnew\s+(?:ssh2\s*\.\s*)?Client\s*\(/.test(text);

  it('in production code, only src/remote/connection.ts creates an ssh2 Client', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('src/') && f.path !== 'src/remote/connection.ts' && !/\.test\.ts$/.test(f.path))
      .filter((f) => createsClient(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('test helpers that create their own ssh2 Client still pass a hostVerifier', () => {
    const offenders = files
      .filter((f) => !f.path.startsWith('src/') && createsClient(f.text))
      .filter((f) => !/hostVerifier\s*:/.test(f.text) || /hostVerifier\s*:\s*\(\)\s*=>\s*true/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('production code outside src/remote does not import ssh2 at all', () => {
    const offenders = files
      .filter((f) => f.path.startsWith('src/') && !f.path.startsWith('src/remote/'))
      .filter((f) => /from\s+['"]ssh2['"]|require\(\s*['"]ssh2['"]\s*\)|import\(\s*['"]ssh2['"]\s*\)/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('connection.ts passes a hostVerifier to every connect() and never a hostHash', () => {
    const text = files.find((f) => f.path === 'src/remote/connection.ts')?.text ?? '';
    const connects = text.match(/\.connect\(\{[\s\S]*?\n\s*\}\);/g) ?? [];
    expect(connects.length).toBeGreaterThan(0);
    for (const call of connects) expect(call).toMatch(/hostVerifier:\s*verifier\.verify/);
    expect(text).not.toMatch(/hostHash\s*:/);
  });
});
