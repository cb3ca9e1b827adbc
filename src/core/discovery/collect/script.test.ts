import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseDiscoveryOutput } from './parse.js';
import { discoveryScript, newDiscoveryBoundary, SECTIONS } from './script.js';

const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** Feeds the script to a shell over stdin, as the SSH layer will, and collects its output. */
function run(argv: string[], script: string): Promise<{ stdout: string; ms: number; status: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] ?? 'sh', argv.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (status) =>
      resolve({ stdout: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - t0, status }),
    );
    child.stdin.end(script);
  });
}

/** A whole run takes seconds on a busy machine; the three live runs go side by side. */
const LIVE_TIMEOUT = 180_000;

describe('discoveryScript', () => {
  it('refuses a boundary or limits it cannot use safely', () => {
    expect(() => discoveryScript({ boundary: 'short' })).toThrow(/boundary/);
    expect(() => discoveryScript({ boundary: 'abc$(touch /tmp/pwn)abcdefgh' })).toThrow(/boundary/);
    expect(() => discoveryScript({ boundary: 'a'.repeat(65) })).toThrow(/boundary/);
    expect(() => discoveryScript({ boundary: newDiscoveryBoundary(), logLines: -1 })).toThrow(/logLines/);
    expect(() => discoveryScript({ boundary: newDiscoveryBoundary(), maxFileBytes: 1.5 })).toThrow(/maxFileBytes/);
    expect(newDiscoveryBoundary()).toMatch(/^[0-9a-f]{32}$/);
    expect(newDiscoveryBoundary()).not.toBe(newDiscoveryBoundary());
  });

  it('is valid sh, names every section, and keeps the boundary to the shell builtin that prints markers', () => {
    const b = newDiscoveryBoundary();
    const script = discoveryScript({ boundary: b, logLines: 7 });
    expect(spawnSync('sh', ['-n'], { input: script }).status).toBe(0);
    expect(script).not.toMatch(/undefined|\$\{D\}|\[object /);
    for (const s of SECTIONS) expect(script).toMatch(new RegExp(`^s_${s}\\(\\) \\{`, 'm'));
    // `$B` reaches only printf, a builtin: no process ever gets the boundary in its argv.
    const uses = script.split('\n').filter((l) => l.includes('$B'));
    expect(uses).toEqual(['mk() { printf \'\\n@@%s %s\\n\' "$B" "$*"; }']);
    expect(script).toContain(`B=${b}\n`);
    expect(script).toContain('NLOG=7\n');
    expect(script).toContain('sudo -n sh -s');
    expect(discoveryScript({ boundary: b, elevate: 'never' })).not.toContain('sudo -n');
  });

  it('is valid for busybox ash and bash too', () => {
    const script = discoveryScript({ boundary: newDiscoveryBoundary() });
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(has('busybox'), 'busybox is needed for this test: npm test installs it (scripts/testhosts-prereqs.sh)').toBe(
      true,
    );
    expect(spawnSync('busybox', ['sh', '-n'], { input: script }).status).toBe(0);
    const inPlace = discoveryScript({ boundary: newDiscoveryBoundary(), elevate: 'never' });
    for (const shell of [['sh'], ['bash'], ['busybox', 'sh']])
      expect(spawnSync(shell[0]!, [...shell.slice(1), '-n'], { input: inPlace }).status).toBe(0);
  });

  it('runs in the shell that reads it when the caller has elevated already: no process started for it', () => {
    const script = discoveryScript({ boundary: newDiscoveryBoundary(), elevate: 'never' });
    expect(script.startsWith('{\n')).toBe(true);
    expect(script.endsWith('\n} </dev/null\n')).toBe(true);
    expect(script).not.toMatch(/steward_body|\| *sh -s|id -u\)" != 0/);
  });
});

/** Runs the real script on this machine. */
describe.concurrent('the script on this machine', () => {
  const boundary = newDiscoveryBoundary();
  // As the discovery service sends it: the login's shell is started under sudo already where it needs to be.
  const script = discoveryScript({ boundary, logLines: 5, elevate: 'never' });

  it('runs under sh -s in one process, completes, and parses into facts', { timeout: LIVE_TIMEOUT }, async () => {
    // The shell reads on after the script: nothing the script started took the rest of its stdin.
    const r = await run(['sh', '-s'], `${script}echo after-the-script\n`);
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().endsWith('after-the-script')).toBe(true);
    const { facts, hostCpuTicks } = parseDiscoveryOutput(r.stdout, boundary, { now: new Date(), logLines: 5 });
    expect(facts.complete).toBe(true);
    // Every step reports the CPU it took on the host (this machine has /proc).
    expect(Object.keys(hostCpuTicks)).toEqual(['prologue', 'prepare', ...SECTIONS]);
    const ticks = Object.values(hostCpuTicks);
    expect(ticks.every((t) => Number.isInteger(t) && t >= 0)).toBe(true);
    expect(facts.os.kernel.name).toBe('Linux');
    expect(facts.identity.hostname).toBeTruthy();
    expect(facts.users.find((u) => u.uid === 0)).toBeTruthy();
    expect(facts.packages.length + facts.performance.processCount).toBeGreaterThan(0);
    expect(facts.logs.every((l) => l.recentLines.length <= 5)).toBe(true);
    console.info(
      `discovery script: ${script.length} bytes; run under sh: ${Math.round(r.ms)} ms, ${r.stdout.length} bytes of output, host CPU ${ticks.reduce((a, b) => a + b, 0) * 10} ms (${Object.entries(
        hostCpuTicks,
      )
        .map(([k, v]) => `${k} ${v * 10}`)
        .join(', ')})`,
    );
  });

  it('runs under busybox sh (the shell of Alpine hosts)', { timeout: LIVE_TIMEOUT }, async () => {
    expect(has('busybox'), 'busybox is needed for this test: npm test installs it (scripts/testhosts-prereqs.sh)').toBe(
      true,
    );
    const r = await run(['busybox', 'sh', '-s'], script);
    const { facts } = parseDiscoveryOutput(r.stdout, boundary, { now: new Date() });
    expect(facts.complete).toBe(true);
    expect(facts.users.length).toBeGreaterThan(0);
  });

  it(
    'degrades without root: finishes, reads what it can, says what it could not',
    { timeout: LIVE_TIMEOUT },
    async () => {
      expect(
        process.getuid?.() === 0 && has('runuser'),
        'this test runs the script as nobody through runuser, so it needs root (CI runs as root)',
      ).toBe(true);
      const r = await run(
        ['runuser', '-u', 'nobody', '--', 'sh', '-s'],
        discoveryScript({ boundary, elevate: 'never' }),
      );
      const { facts } = parseDiscoveryOutput(r.stdout, boundary, { now: new Date() });
      expect(facts.complete).toBe(true);
      expect(facts.privilege).toBe('user');
      expect(facts.users.length).toBeGreaterThan(0);
      expect(facts.users.every((u) => u.password === 'unknown')).toBe(true);
      expect(facts.notes.join(' ')).toMatch(/without root/);
    },
  );
});
