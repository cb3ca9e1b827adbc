import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)]
    .map((m) => m[1] ?? m[2]!)
    .filter((s) => s.startsWith('.'))
    .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

const layerOf = (file: string): string => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');

/** Which of our layers each layer may import (besides itself). Arrows only point down. */
const ALLOWED: Record<string, string[]> = {
  kernel: [],
  crypto: ['kernel'],
  db: ['kernel'],
  providers: ['kernel'],
  remote: ['kernel'],
  sandbox: ['kernel'],
  core: ['kernel', 'crypto', 'db', 'providers', 'remote'],
  api: ['kernel', 'core'],
  cli: ['kernel', 'core', 'api', 'db', 'sandbox'],
};

const production = filesUnder(SRC).filter((f) => !f.endsWith('.test.ts'));

describe('architecture', () => {
  it('layers import only downwards', () => {
    const violations: string[] = [];
    for (const file of production) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        if (!target.startsWith(SRC)) {
          violations.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)} (outside src/: testkit or test)`);
          continue;
        }
        const to = layerOf(target);
        if (to !== from && !(ALLOWED[from] ?? []).includes(to))
          violations.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('a core module reaches another only through its service, never its data access', () => {
    const violations: string[] = [];
    for (const file of production.filter((f) => layerOf(f) === 'core')) {
      const own = relative(join(SRC, 'core'), file).split('/')[0];
      if (own === 'core.ts') continue; // the composition root wires stores to services
      for (const target of importsOf(file)) {
        const rel = relative(join(SRC, 'core'), target);
        const module = rel.split('/')[0];
        if (module !== own && rel.endsWith('.store.ts'))
          violations.push(`${relative(ROOT, file)} imports ${relative(ROOT, target)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('has no import cycles', () => {
    const graph = new Map(production.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(node)), node].map((p) => relative(SRC, p)).join(' → '));
        return;
      }
      state.set(node, 'visiting');
      for (const next of graph.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of graph.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  it('only kernel/config.ts reads the environment', () => {
    const readers = production
      .filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(readers).toEqual(['src/kernel/config.ts']);
  });

  it('every SSH connection is made with a host-key verifier', () => {
    const offenders: string[] = [];
    for (const file of production) {
      const text = readFileSync(file, 'utf8');
      if (/from ['"]ssh2['"]/.test(text) && layerOf(file) !== 'remote' && layerOf(file) !== 'sandbox')
        offenders.push(`${relative(ROOT, file)} imports ssh2 outside remote/`);
      if (/\.connect\(\s*\{/.test(text) && /ssh2/.test(text) && !/hostVerifier/.test(text))
        offenders.push(`${relative(ROOT, file)} connects without hostVerifier`);
    }
    expect(offenders).toEqual([]);
  });
});
