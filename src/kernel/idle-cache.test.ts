import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { idleCache, requireUncached } from './idle-cache.js';

describe('idleCache', () => {
  afterEach(() => void vi.useRealTimers());

  it('builds on first use, keeps the value while used, lets it go after the idle time, builds again', () => {
    vi.useFakeTimers();
    let builds = 0;
    const cache = idleCache(() => ({ n: ++builds }), 1000);
    expect(cache.held).toBe(false);
    expect(builds).toBe(0);
    const first = cache.get();
    expect(first.n).toBe(1);
    vi.advanceTimersByTime(900);
    expect(cache.get()).toBe(first); // used again: the idle time starts over
    vi.advanceTimersByTime(900);
    expect(cache.held).toBe(true);
    vi.advanceTimersByTime(200);
    expect(cache.held).toBe(false);
    expect(cache.get().n).toBe(2);
  });
});

describe('requireUncached', () => {
  it('returns the module and leaves nothing of it in the module cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-uncached-'));
    try {
      writeFileSync(join(dir, 'list.json'), JSON.stringify(['a.example', 'b.example']));
      writeFileSync(join(dir, 'mod.cjs'), "module.exports = { list: require('./list.json') };");
      expect(requireUncached<{ list: string[] }>(join(dir, 'mod.cjs')).list).toEqual(['a.example', 'b.example']);
      const cached = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.startsWith(dir));
      expect(cached).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets the memory go with the value (a fresh process, a 1,000,000-word list, 50 ms idle time)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'steward-uncached-'));
    try {
      const words = Array.from({ length: 1_000_000 }, (_, i) => `word-${i}.example`);
      writeFileSync(join(dir, 'words.json'), JSON.stringify(words));
      const cacheModule = fileURLToPath(new URL('./idle-cache.ts', import.meta.url));
      const script = `
        const { idleCache, requireUncached } = await import(${JSON.stringify(cacheModule)});
        const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
        const before = heap();
        const list = idleCache(() => new Set(requireUncached(${JSON.stringify(join(dir, 'words.json'))})), 50);
        const size = list.get().size;
        const held = heap();
        await new Promise((r) => setTimeout(r, 200));
        process.stdout.write(JSON.stringify({ size, before, held, after: heap() }));
      `;
      const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).toBe(0);
      const m = JSON.parse(r.stdout) as { size: number; before: number; held: number; after: number };
      expect(m.size).toBe(1_000_000);
      expect(m.held - m.before).toBeGreaterThan(20 * 1048576);
      // Let go: back within a few MiB of where it started.
      expect(m.after - m.before).toBeLessThan(4 * 1048576);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the password dictionaries and the disposable-domain list', () => {
  it('are used without staying in the module cache (so letting them go frees them)', async () => {
    const { passwordStrength } = await import('../core/users/password-strength.js');
    const { isDisposableDomain } = await import('../core/users/users.rules.js');
    expect((await passwordStrength('password1', [])).score).toBeLessThan(2);
    expect(await isDisposableDomain('mailinator.com')).toBe(true);
    const cached = Object.keys(createRequire(import.meta.url).cache);
    expect(cached.filter((k) => /@zxcvbn-ts|disposable-email-domains/.test(k))).toEqual([]);
  });
});
