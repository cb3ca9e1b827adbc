import { execFileSync } from 'node:child_process';
import type { Core } from '../src/core/core.js';
import { createMetricsStore } from '../src/core/monitoring/metrics.store.js';
import type { Engine } from '../src/db/database.js';
import { sleep } from '../src/kernel/clock.js';
import { signUp } from '../testkit/client.js';
import { ClusterClient, startCluster, type Cluster } from '../testkit/cluster.js';
import { ENGINES } from '../testkit/db.js';
import { createFleetLauncher, disposeFleetLauncher, newClientKey } from '../testkit/fleet.js';
import { startTestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';
import { machineCpuS, procStat } from './proc.js';
import { controlCore, seedServers } from './seed.js';

/**
 * Monitoring: sustained metric ingestion into each engine (points per second, written the way a sample writes
 * them: one transaction per server per interval, raw points plus their minute roll-ups), and the CPU cost of
 * sampling a fleet of real sshd hosts every 10 seconds (Steward's own process, in a steady state after the first
 * logins).
 */

export interface MonitoringBench {
  readonly ingestion: {
    readonly engine: Engine;
    readonly pointsPerSec: number;
    readonly servers: number;
    readonly seriesPerServer: number;
  }[];
  readonly sampling: {
    readonly hosts: number;
    readonly intervalS: number;
    readonly windowS: number;
    /**
     * The count from monitoring's start to the first window: every server's first sample (first login, integrity
     * hashes, first log reads) at once, then two intervals for the schedule to settle.
     */
    readonly warmUp: Schedule & { readonly seconds: number };
    /**
     * Two windows of `windowS`: the first right after the warm-up, while V8 still optimises the sampling path
     * (its compiler took about a tenth of Steward's CPU in the first minutes), and a steady one `SETTLE_S` later.
     */
    readonly windows: readonly SamplingWindow[];
  };
}

export interface SamplingWindow {
  /** Seconds from every server's first sample to the window's start. */
  readonly startS: number;
  readonly samples: number;
  /** Intervals that began in the window, samples taken, samples that ended late, intervals with no sample. */
  readonly schedule: Schedule;
  readonly cpuS: number;
  /** The part of `cpuS` spent in the kernel on the process's behalf (socket writes, SQLite's file I/O). */
  readonly sysS: number;
  readonly cpuMsPerSample: number;
  readonly coreShare: number;
  /**
   * The machine's busy CPU time outside Steward's process in the window, per sample taken: the hosts' side
   * (sshd's session, the script and what it starts). The shared hosts run on this machine, so this is theirs.
   */
  readonly hostCpuMsPerSample: number;
}

type Schedule = { readonly due: number; readonly taken: number; readonly late: number; readonly missed: number };

/** Intervals the schedule is left to settle after every server's first sample, before the window starts. */
const SETTLE_INTERVALS = 2;
/** Seconds between the first window's end and the steady window's start. */
const SETTLE_S = 60;
/** The sampling interval the bench sets. */
const INTERVAL_S = 10;

const SERIES = [
  'cpu.busy_pct',
  'cpu.iowait_pct',
  'load.1',
  'load.5',
  'load.15',
  'mem.used_pct',
  'mem.available_bytes',
  'swap.used_pct',
  'procs.count',
  'procs.running',
  ...['/', '/var', '/home', '/srv'].flatMap((m) => [
    `disk.used_pct:${m}`,
    `disk.free_bytes:${m}`,
    `disk.inodes_used_pct:${m}`,
  ]),
  ...['sda', 'sdb'].flatMap((d) => [`io.read_bps:${d}`, `io.write_bps:${d}`, `io.util_pct:${d}`]),
  ...['eth0', 'eth1'].flatMap((i) => [
    `net.rx_bps:${i}`,
    `net.tx_bps:${i}`,
    `net.rx_errors:${i}`,
    `net.tx_errors:${i}`,
  ]),
];

const LOOPBACK_HOSTS = 'public,private,loopback';

const fakeHosts = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    address: `192.0.2.${(i % 250) + 1}`,
    port: 22 + Math.floor(i / 250),
    hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBenchBenchBenchBenchBenchBenchBenchBench',
  }));

async function ingestion(
  engine: Engine,
  servers: number,
  seconds: number,
): Promise<MonitoringBench['ingestion'][number]> {
  const s = await startTestSteward({ engine });
  try {
    const owner = await signUp(s.app);
    const ids = await seedServers(s.core, owner.orgId, fakeHosts(servers), newClientKey());
    const store = createMetricsStore({ engine });
    const now = new Date().toISOString();
    const series = await Promise.all(ids.map((id) => store.seriesIds(s.core.db, owner.orgId, id, SERIES, now)));
    let ts = Math.floor(Date.now() / 1000) - 30 * 86_400;
    let points = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < seconds * 1000) {
      ts += 10; // one sampling interval of the whole fleet per round
      for (const map of series) {
        const rows = [...map.values()].map((seriesId, i) => ({ seriesId, ts, value: (ts % 97) + i }));
        points += await s.core.db.transaction().execute((trx) => store.insertPoints(trx, rows));
      }
    }
    return {
      engine,
      servers,
      seriesPerServer: SERIES.length,
      pointsPerSec: Math.round(points / ((performance.now() - t0) / 1000)),
    };
  } finally {
    await s.close();
  }
}

/**
 * Steward runs as `npm start` runs it (the built CLI with its V8 flags, one SQLite node that serves and works), so
 * the CPU measured is its own process's; the bench seeds the servers and reads the counts from its own process.
 */
async function sampling(hosts: number, windowS: number): Promise<MonitoringBench['sampling']> {
  execFileSync('npm', ['run', 'build:server'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const key = newClientKey();
  const launcher = await createFleetLauncher({ mode: 'shared' }, [key.publicKey]);
  let cluster: Cluster | undefined;
  let control: Core | undefined;
  try {
    const fleet = await launcher.launchMany(hosts);
    cluster = await startCluster({
      engine: 'sqlite',
      apis: 1,
      workers: 0,
      compiled: true,
      // Flags for a profile of the node (STEWARD_BENCH_NODE_FLAGS='--perf-basic-prof', say): see README.md.
      nodeFlags: process.env.STEWARD_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [],
      // The shared hosts are sshd processes on 127.0.x.y: the operator lets servers be on loopback.
      // Monitoring runs with its defaults (a claiming pass every second).
      env: { STEWARD_SERVER_ADDRESSES: LOOPBACK_HOSTS },
    });
    const pid = cluster.nodes[0]!.pid;
    const client = new ClusterClient(cluster.apis.map((a) => a.url!));
    const core = await controlCore(cluster.env);
    control = core;
    await client.signUp(cluster.mail, (input) => core.signup.requestSignUp(input, {}));
    await seedServers(
      core,
      client.orgId,
      fleet.map((h) => ({ address: h.address, port: h.port, hostKey: h.hostKeys[0]!.publicKey })),
      key,
    );
    const set = await client.request('PUT', `/api/orgs/${client.orgId}/monitoring/settings`, {
      monitorAll: true,
      intervalSeconds: INTERVAL_S,
      recipients: [],
    });
    if (set.status !== 200) throw new Error(`monitoring settings refused: ${JSON.stringify(set.body)}`);
    const warmUpAt = performance.now();
    const sampled = async () =>
      Number(
        (
          await core.db
            .selectFrom('metric_raw')
            .select((eb) => eb.fn.count('ts').as('n'))
            .where('series_id', 'in', core.db.selectFrom('metric_series').select('id').where('name', '=', 'load.1'))
            .executeTakeFirst()
        )?.n ?? 0,
      );
    // Warm-up: every server's first sample (first login, series created) before measuring the steady state.
    await until(`a first sample of each of the ${hosts} servers`, async () => (await sampled()) >= hosts, {
      timeoutMs: 180_000,
      everyMs: 500,
    });
    const firstSampledAt = performance.now();
    await sleep(SETTLE_INTERVALS * INTERVAL_S * 1000);
    const warmUp = {
      ...(await core.monitoring.scheduleTotals()),
      seconds: Math.round((performance.now() - warmUpAt) / 1000),
    };
    const measure = async (): Promise<SamplingWindow> => {
      const startS = Math.round((performance.now() - firstSampledAt) / 1000);
      const before = await sampled();
      const scheduleBefore = await core.monitoring.scheduleTotals();
      const proc0 = procStat(pid);
      const machine0 = machineCpuS();
      await sleep(windowS * 1000);
      const proc1 = procStat(pid);
      const cpuS = proc1.cpuS - proc0.cpuS;
      const machineS = machineCpuS() - machine0;
      const samples = (await sampled()) - before;
      const scheduleAfter = await core.monitoring.scheduleTotals();
      const delta = (k: keyof typeof scheduleAfter) => scheduleAfter[k] - scheduleBefore[k];
      return {
        startS,
        samples,
        schedule: { due: delta('due'), taken: delta('taken'), late: delta('late'), missed: delta('missed') },
        cpuS,
        sysS: proc1.sysS - proc0.sysS,
        cpuMsPerSample: samples > 0 ? (cpuS * 1000) / samples : Number.NaN,
        coreShare: cpuS / windowS,
        hostCpuMsPerSample: samples > 0 ? (Math.max(0, machineS - cpuS) * 1000) / samples : Number.NaN,
      };
    };
    const first = await measure();
    await sleep(SETTLE_S * 1000);
    const steady = await measure();
    return { hosts, intervalS: INTERVAL_S, windowS, warmUp, windows: [first, steady] };
  } finally {
    await control?.close();
    await cluster?.close();
    await disposeFleetLauncher(launcher);
  }
}

/** `STEWARD_BENCH_MONITORING_HOSTS` (default 100) sizes the sampled fleet; `…_INGESTION=0` skips ingestion. */
export async function benchMonitoring(): Promise<MonitoringBench> {
  const results: MonitoringBench['ingestion'][number][] = [];
  if (process.env.STEWARD_BENCH_MONITORING_INGESTION !== '0')
    for (const engine of ENGINES) results.push(await ingestion(engine, 100, 15));
  const hosts = Number(process.env.STEWARD_BENCH_MONITORING_HOSTS ?? 100);
  return { ingestion: results, sampling: await sampling(hosts, 60) };
}
