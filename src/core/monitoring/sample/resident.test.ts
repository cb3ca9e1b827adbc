/**
 * The resident form of the sampling script under the shells customers' servers have: one shell started as the
 * sampler starts it, the body sent once, then several requests, each answered whole and ended by its own line.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNamedSockets, parseSample } from './parse.js';
import { residentSampler, sampleRequest, socketsRequest } from './script.js';
import { nameSockets, namesOf } from './sockets.js';

const B1 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const B2 = '0f9e8d7c6b5a49382716f5e4d3c2b1a0';
const dir = mkdtempSync(join(tmpdir(), 'steward-resident-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts `argv` as sshd would (the login shell runs it with `-c`) and feeds it `input`; returns stdout. */
async function run(
  shell: string[],
  argv: readonly string[],
  input: string,
  env: NodeJS.ProcessEnv = {},
): Promise<string> {
  expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
  const child = spawn(shell[0]!, [...shell.slice(1), '-c', argv[2]!], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, SSH_CONNECTION: '10.0.0.9 40000 10.0.0.1 22', ...env },
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code).toBe(0);
  return Buffer.concat(out).toString('utf8');
}

/** The answer to each request: what came before its end line, and the status on that line. */
function answers(stdout: string, ends: readonly string[]): { body: string; status: string }[] {
  let rest = stdout;
  return ends.map((end) => {
    const at = rest.indexOf(`\n${end}`);
    expect(at, `no end line ${end}`).toBeGreaterThanOrEqual(0);
    const line = rest.slice(at + 1).split('\n', 1)[0]!;
    const body = rest.slice(0, at + 1);
    rest = rest.slice(at + 1 + line.length + 1);
    return { body, status: line.slice(end.length) };
  });
}

const log = join(dir, 'app.log');
writeFileSync(log, 'first line\nsecond line\n');

describe.each([
  ['dash', ['dash']],
  ['bash', ['bash']],
  ['busybox sh', ['busybox', 'sh']],
])('the resident sampling shell under %s', (_name, shell) => {
  it('answers request after request, each whole, and nothing one sets is seen by the next', async () => {
    const { argv, prelude } = residentSampler({ elevate: false });
    const one = sampleRequest({
      boundary: B1,
      integrity: false,
      logs: [{ path: log, inode: '0', offset: 0 }],
      maxLogBytes: 65536,
    });
    const two = sampleRequest({ boundary: B2, integrity: false, logs: [], maxLogBytes: 4096 });
    const out = await run(shell, argv, prelude + one.request + two.request);
    const [a, b] = answers(out, [one.end, two.end]);
    expect(a!.status).toBe('0');
    expect(b!.status).toBe('0');
    const first = parseSample(a!.body, B1);
    const second = parseSample(b!.body, B2);
    expect(first.complete).toBe(true);
    expect(second.complete).toBe(true);
    expect(first.ssh).toEqual({ client: '10.0.0.9', server: '10.0.0.1' });
    expect(second.ssh).toEqual({ client: '10.0.0.9', server: '10.0.0.1' });
    expect(first.cpu.total).not.toBeNull();
    expect(second.cpu.total).not.toBeNull();
    const bytes = first.logs.chunks.map((c) => c.data.toString('utf8')).join('');
    expect(bytes).toBe('first line\nsecond line\n');
    // The second sample follows no log: the first one's follow list is gone with its subshell.
    expect(second.logs.chunks).toEqual([]);
    expect(b!.body).not.toContain(B1);
    // The sample's own processes (children of the resident shell) are not among the busiest.
    expect(second.processes.map((p) => p.args).filter((a) => a.includes('ps -eww'))).toEqual([]);
  });
});

describe('sockets without their processes, then with them on request', () => {
  it('a bare listing names no process; the second request names them, and they name the bare one', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const { argv, prelude } = residentSampler({ elevate: false });
      const bare = sampleRequest({ boundary: B1, integrity: false, logs: [], maxLogBytes: 4096, bareSockets: true });
      const again = socketsRequest(B2);
      const out = await run(['dash'], argv, prelude + bare.request + again.request);
      const [a, b] = answers(out, [bare.end, again.end]);
      const first = parseSample(a!.body, B1);
      expect(first.socketsNamed).toBe(false);
      const mine = { proto: 'tcp', address: '127.0.0.1', port };
      expect(first.listening).toContainEqual({ ...mine, process: null, pid: null });
      const named = parseNamedSockets(b!.body, B2);
      expect(named?.socketsNamed).toBe(true);
      expect(named?.listening).toContainEqual({ ...mine, process: 'node', pid: process.pid });
      // This test's own listener only: other tests' sockets may come and go between the two listings.
      const names = namesOf({ ...first, ...named! }, 0);
      const bareMine = { ...first, listening: first.listening.filter((p) => p.port === port) };
      const none = { poolConnections: [], outboundConnections: [] };
      expect(nameSockets({ ...bareMine, ...none }, names)).toEqual({
        listening: [{ ...mine, process: 'node', pid: process.pid }],
        ...none,
      });
      // A socket the named listing did not have is new: nothing is guessed for it.
      const unknown = { proto: 'tcp' as const, address: '127.0.0.1', port: 1, process: null, pid: null };
      expect(nameSockets({ ...bareMine, ...none, listening: [...bareMine.listening, unknown] }, names)).toBeNull();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('the resident sampling shell of a login that is not root', () => {
  it('becomes root once, through `sudo -n`, and keeps the address sshd gave before sudo dropped it', async () => {
    const bin = join(dir, 'bin');
    const calls = join(dir, 'sudo-calls');
    rmSync(bin, { recursive: true, force: true });
    writeFileSync(calls, '');
    chmodSync(dir, 0o755);
    chmodSync(calls, 0o666);
    // A stand-in for sudo: records its arguments and runs the command (as the same user), like a NOPASSWD rule.
    const { mkdirSync } = await import('node:fs');
    mkdirSync(bin, { mode: 0o755 });
    writeFileSync(
      join(bin, 'sudo'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> ${calls}\n[ "$1" = -n ] && shift\nunset SSH_CONNECTION\nexec "$@"\n`,
      { mode: 0o755 },
    );
    const { argv, prelude } = residentSampler({ elevate: true });
    const one = sampleRequest({ boundary: B1, integrity: false, logs: [], maxLogBytes: 65536 });
    const two = sampleRequest({ boundary: B2, integrity: false, logs: [], maxLogBytes: 65536 });
    const out = await run(['runuser', '-u', 'nobody', '--', 'sh'], argv, prelude + one.request + two.request, {
      PATH: `${bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
    });
    const [a, b] = answers(out, [one.end, two.end]);
    expect(parseSample(a!.body, B1).complete).toBe(true);
    expect(parseSample(b!.body, B2).ssh).toEqual({ client: '10.0.0.9', server: '10.0.0.1' });
    expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toEqual([
      '-n true',
      '-n sh -s -- 10.0.0.9 40000 10.0.0.1 22',
    ]);
  });
});
