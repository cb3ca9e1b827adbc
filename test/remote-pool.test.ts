/**
 * Pooling against a real sshd: reuse (N commands, one login), the concurrency caps, idle close, recovery
 * after the server drops connections, and the numbers a benchmark reads (logins per second, round trip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { createSshExecutor, type RemoteExecutor, type SshTarget } from '../src/remote/index.js';
import { noopLogger } from '../src/remote/logging.js';
import { startSshd, type TestSshd } from '../testkit/sshd.js';

let sshd: TestSshd;
let scratch: string;
const executors: RemoteExecutor[] = [];
const target = (): SshTarget => ({
  host: sshd.host,
  port: sshd.port,
  username: sshd.username,
  auth: { kind: 'key', privateKey: secret(sshd.clientPrivateKey) },
  hostKey: { kind: 'pinned', keys: sshd.hostKeys.map((k) => k.publicKey) },
});
const executor = (options: Parameters<typeof createSshExecutor>[0] = {}): RemoteExecutor => {
  const made = createSshExecutor(options);
  executors.push(made);
  return made;
};
const logins = (since: number): number => (sshd.logSince(since).match(/Accepted publickey for root/g) ?? []).length;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

beforeAll(async () => {
  sshd = await startSshd();
  scratch = mkdtempSync(join(tmpdir(), 'steward-pool-'));
});

afterAll(async () => {
  for (const made of executors) await made.close();
  await sshd?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('connection reuse', () => {
  it('runs 50 commands, sequential and in parallel within the channel limit, over a single login', async () => {
    const ex = executor();
    const mark = sshd.logMark();
    for (let i = 0; i < 32; i += 1) await ex.exec(target(), ['true']);
    for (let round = 0; round < 3; round += 1) {
      await Promise.all(Array.from({ length: 6 }, (_, i) => ex.exec(target(), ['echo', String(i)])));
    }
    expect(ex.metrics()).toMatchObject({
      loginsStarted: 1,
      loginsSucceeded: 1,
      commandsStarted: 50,
      commandsFailed: 0,
    });
    expect(logins(mark)).toBe(1);
  });

  it('keeps operations with different session tags on separate logins, and reports each login', async () => {
    const seen: (string | undefined)[] = [];
    const ex = executor({ onLogin: (ref) => void seen.push(ref.session) });
    const mark = sshd.logMark();
    for (const session of ['op-a', 'op-a', 'op-b', 'op-a', 'op-b']) await ex.exec({ ...target(), session }, ['true']);
    expect(logins(mark)).toBe(2);
    expect(seen.sort()).toEqual(['op-a', 'op-b']);
  });

  it('does not use a login whose recording failed', async () => {
    const ex = executor({
      onLogin: () => {
        throw new Error('ledger unavailable');
      },
    });
    const marker = join(scratch, 'should-not-exist');
    await expect(ex.exec({ ...target(), session: 'op-x' }, ['touch', marker])).rejects.toThrow('ledger unavailable');
    const check = executor();
    await expect(check.exec(target(), ['test', '-e', marker], { acceptExitCodes: [1] })).resolves.toMatchObject({
      exitCode: 1,
    });
  });

  it('respects the global concurrency cap, measured on the server', async () => {
    const ex = executor({ maxConcurrency: 3 });
    const dir = join(scratch, 'running');
    await ex.exec(target(), ['mkdir', '-p', dir]);
    // Each command registers itself, reports how many are registered, waits, and leaves.
    const script = 'mkdir "$1/$$"; ls "$1" | wc -l; sleep 0.3; rmdir "$1/$$"';
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => ex.exec(target(), ['sh', '-c', script, 'sh', dir])),
    );
    const seen = results.map((r) => Number(r.stdout.trim()));
    expect(Math.max(...seen)).toBe(3);
    expect(ex.metrics().activeOperationsPeak).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4 * 300);
  });

  it('respects channels per connection and connections per host', async () => {
    const ex = executor({ maxChannelsPerConnection: 2, maxConnectionsPerHost: 2 });
    const mark = sshd.logMark();
    await Promise.all(Array.from({ length: 8 }, () => ex.exec(target(), ['sleep', '0.2'])));
    const m = ex.metrics();
    expect(m.openConnectionsPeak).toBe(2);
    expect(m.activeChannelsPeak).toBe(4);
    expect(m.loginsSucceeded).toBe(2);
    expect(logins(mark)).toBe(2);
  });

  it('closes idle connections and logs in again when needed', async () => {
    const ex = executor({ idleTimeoutMs: 150 });
    await ex.exec(target(), ['true']);
    expect(ex.metrics().openConnections).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(ex.metrics().openConnections).toBe(0);
    await ex.exec(target(), ['true']);
    expect(ex.metrics().loginsSucceeded).toBe(2);
  });

  it('recovers when the server drops its connections (restart), without failing the next command', async () => {
    const ex = executor();
    await ex.exec(target(), ['true']);
    await sshd.restart();
    // The pooled connection may or may not have noticed yet; either way the command runs.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await ex.exec(target(), ['echo', 'back'])).stdout).toBe('back\n');
    expect(ex.metrics().loginsSucceeded).toBe(2);
  });
});

/**
 * A TCP front for the test sshd that treats its first `bad` connections as a busy host would: `cut` closes them
 * at once (sshd over MaxStartups), `silent` accepts and never answers (a starved host). Later ones pass through.
 */
async function busyFront(bad: number, how: 'cut' | 'silent') {
  const held: Socket[] = [];
  let seen = 0;
  const server = createServer((client) => {
    seen += 1;
    if (seen <= bad) {
      if (how === 'cut') client.destroy();
      else held.push(client);
      return;
    }
    const upstream = connect(sshd.port, sshd.host);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => seen,
    close: () => {
      for (const c of held) c.destroy();
      server.close();
    },
  };
}

describe('a busy host', () => {
  it('is tried again when it cuts the handshake or does not answer it, and the command runs', async () => {
    for (const how of ['cut', 'silent'] as const) {
      const front = await busyFront(2, how);
      try {
        const ex = executor({ connectTimeoutMs: 1_000 });
        const result = await ex.exec({ ...target(), host: '127.0.0.1', port: front.port }, ['echo', how]);
        expect(result.stdout).toBe(`${how}\n`);
        expect(front.connections()).toBe(3);
      } finally {
        front.close();
      }
    }
  });

  it('is not tried a fourth time, and a refused port is not tried again at all', async () => {
    const front = await busyFront(10, 'cut');
    try {
      const ex = executor({ connectTimeoutMs: 1_000 });
      await expect(ex.exec({ ...target(), host: '127.0.0.1', port: front.port }, ['true'])).rejects.toMatchObject({
        code: 'STEWARD_SSH_UNREACHABLE',
      });
      expect(front.connections()).toBe(3);
    } finally {
      front.close();
    }
    const closed = await busyFront(0, 'cut');
    closed.close();
    const warnings: string[] = [];
    const logger = { ...noopLogger, warn: (_: unknown, message?: string) => void warnings.push(String(message)) };
    const ex = executor({ connectTimeoutMs: 1_000, logger });
    await expect(ex.exec({ ...target(), host: '127.0.0.1', port: closed.port }, ['true'])).rejects.toMatchObject({
      code: 'STEWARD_SSH_UNREACHABLE',
    });
    expect(warnings.filter((w) => /trying again/.test(w))).toEqual([]);
  });
});

describe('measurements', () => {
  it('reports logins per second and command round trips', async () => {
    // 1. Fresh logins, one after another (each executor logs in once).
    const loginCount = 20;
    const cpuStart = process.cpuUsage();
    const loginStart = performance.now();
    for (let i = 0; i < loginCount; i += 1) {
      const ex = executor();
      await ex.exec(target(), ['true']);
      await ex.close();
    }
    const loginsPerSecond = loginCount / ((performance.now() - loginStart) / 1000);
    const cpu = process.cpuUsage(cpuStart);
    const clientCpuPerLoginMs = (cpu.user + cpu.system) / 1000 / loginCount;

    // 1b. Fresh logins, ten at a time (as a fan-out over many hosts would make them).
    const parallelLoginStart = performance.now();
    for (let round = 0; round < 3; round += 1) {
      const fresh = Array.from({ length: 10 }, () => executor());
      await Promise.all(fresh.map((ex) => ex.exec(target(), ['true'])));
      await Promise.all(fresh.map((ex) => ex.close()));
    }
    const parallelLoginsPerSecond = 30 / ((performance.now() - parallelLoginStart) / 1000);

    // 2. Round trips on a warm connection.
    const warm = executor({ maxConnectionsPerHost: 1 });
    await warm.exec(target(), ['true']);
    const trips: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const t = performance.now();
      await warm.exec(target(), ['true']);
      trips.push(performance.now() - t);
    }

    // 3. Throughput with the default channel limit on one connection (the rest wait their turn).
    const parallelStart = performance.now();
    await Promise.all(Array.from({ length: 200 }, () => warm.exec(target(), ['true'])));
    const perSecond = 200 / ((performance.now() - parallelStart) / 1000);

    const report = {
      loginsPerSecond: Math.round(loginsPerSecond),
      clientCpuPerLoginMs: Number(clientCpuPerLoginMs.toFixed(1)),
      loginsPerSecondTenAtATime: Math.round(parallelLoginsPerSecond),
      execRoundTripMedianMs: Number(median(trips).toFixed(1)),
      execRoundTripP90Ms: Number([...trips].sort((a, b) => a - b)[44]?.toFixed(1)),
      execPerSecondOneConnection: Math.round(perSecond),
      loginsForAllWarmWork: warm.metrics().loginsSucceeded,
      channelRetries: warm.metrics().channelRetries,
    };
    console.info(`remote executor measurements: ${JSON.stringify(report)}`);
    expect(report.loginsForAllWarmWork).toBe(1);
    expect(report.loginsPerSecond).toBeGreaterThan(1);
  });
});
