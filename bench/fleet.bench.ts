import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Core } from '../src/core/core.js';
import { sleep } from '../src/kernel/clock.js';
import { ClusterClient, startCluster, type Cluster } from '../testkit/cluster.js';
import { machineCpuS, procStat } from './proc.js';
import { controlCore, seedServers } from './seed.js';

/**
 * Steward against Ansible and parallel-ssh on the same fleet in the same run: the peer harness in
 * ../shared/bench starts N real sshd hosts on loopback; Steward discovers them and runs `uptime` on them; the
 * peers do the same. Steward runs as `npm start` runs it (the built CLI, SQLite, one process serving and working),
 * driven through its API; its figures are wall time, and the CPU time and peak RSS of that process.
 */

interface FleetHost {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly hostKey: string;
}

const PEERS = resolve(process.env.STEWARD_PEERBENCH_DIR ?? '../shared/bench/peers');
const FLEET_DIR = join(process.env.TMPDIR ?? '/tmp', 'steward-peerbench', 'fleet');

export interface Measure {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMiB: number;
  /**
   * CPU time of the whole machine meanwhile (every process: the tool, the hosts' sshd, what runs on the hosts), so
   * a tool that moves its work onto the hosts is not flattered by its own figure. Shared-mode hosts are this machine.
   */
  readonly machineCpuS: number;
}

/** Mean host CPU per script step across the hosts of one run, in ms (from each host's "Host CPU" log line). */
export type HostCpu = Readonly<Record<string, number>>;

export interface FleetBench {
  readonly n: number;
  /** Steward's resident memory after start-up and a warm-up discovery of two hosts, before the measured runs. */
  readonly idleRssMiB: number;
  /** A full discovery (every section runs); null at a fan-out-only size. */
  readonly stewardDiscover: Measure | null;
  /** The next discovery of the same unchanged hosts (unchanged sections answer in one line). */
  readonly stewardRediscover: Measure | null;
  readonly hostCpuFirst: HostCpu | null;
  readonly hostCpuRepeat: HostCpu | null;
  readonly ansibleSetup: Measure | null;
  readonly stewardUptime: Measure;
  readonly psshUptime: Measure | null;
  readonly psshUptimeX25519: Measure | null;
}

function havePeer(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** Installs the peers when possible (root with apt); otherwise the bench reports Steward alone and says why. */
function ensurePeers(): string[] {
  const missing = [
    ['ansible', 'ansible'],
    ['parallel-ssh', 'pssh'],
    ['sshd', 'openssh-server'],
  ]
    .filter(([cmd]) => !havePeer(cmd!) && !existsSync(`/usr/sbin/${cmd}`))
    .map(([, pkg]) => pkg!);
  if (missing.length > 0 && process.getuid?.() === 0) {
    spawnSync(
      'sh',
      ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`],
      { stdio: 'inherit' },
    );
  }
  return [
    ['ansible', 'ansible'],
    ['parallel-ssh', 'pssh'],
  ]
    .filter(([cmd]) => !havePeer(cmd!))
    .map(([, pkg]) => pkg!);
}

/** Wall time of `fn`, and the CPU time and peak RSS of Steward's process (`pid`, sampled every 50 ms) meanwhile. */
async function measure(pid: number, fn: () => Promise<void>): Promise<Measure> {
  const before = procStat(pid);
  const machine0 = machineCpuS();
  let peak = before.rssMiB;
  const sampler = setInterval(() => (peak = Math.max(peak, procStat(pid).rssMiB)), 50);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const after = procStat(pid);
  return {
    wallS: (performance.now() - t0) / 1000,
    cpuS: after.cpuS - before.cpuS,
    peakRssMiB: Math.max(peak, after.rssMiB),
    machineCpuS: machineCpuS() - machine0,
  };
}

/** Runs one peer command line from tools.sh through the harness's bench.py; medians of `runs`. */
function peer(label: string, variable: string, n: number, runs = 1): Measure | null {
  const out = join(mkdtempSync(join(tmpdir(), 'steward-peer-')), 'runs.jsonl');
  const script = `set -e; . ${PEERS}/tools.sh; python3 ${PEERS}/bench.py --label ${label} --n ${n} --runs ${runs} --out ${out} -- "$${variable}"`;
  const machine0 = machineCpuS();
  const res = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, FLEET_DIR } });
  const machine = (machineCpuS() - machine0) / runs;
  const rows = existsSync(out)
    ? readFileSync(out, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, number>)
    : [];
  if (res.status !== 0 || rows.length === 0 || rows.some((r) => r.rc !== 0)) {
    process.stderr.write(`peer ${label} failed: ${res.stderr.slice(-500)}\n`);
    return null;
  }
  const median = (k: string) => rows.map((r) => r[k]!).sort((x, y) => x - y)[Math.floor(rows.length / 2)]!;
  return {
    wallS: median('wall_s'),
    cpuS: median('client_cpu_s'),
    peakRssMiB: median('maxrss_mib'),
    machineCpuS: machine,
  };
}

/** Means per step of the "Host CPU: … ms (step ms, …)." lines a discovery run logged. */
async function hostCpuOf(core: Core, runId: string): Promise<HostCpu> {
  const rows = await core.db.selectFrom('task_output').select('data').where('run_id', '=', runId).execute();
  const per = new Map<string, number[]>();
  for (const { data } of rows) {
    const m = /Host CPU: (\d+) ms \(([^)]*)\)/.exec(data);
    if (!m) continue;
    for (const [k, v] of [['total', m[1]!], ...m[2]!.split(', ').map((p) => p.split(' '))] as [string, string][])
      per.set(k, [...(per.get(k) ?? []), Number(v)]);
  }
  // The mean, not the median: each host reports whole 10 ms ticks, and only the mean over many hosts resolves less.
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  return Object.fromEntries([...per].map(([k, xs]) => [k, mean(xs)]));
}

/**
 * Waits for a run through the API, reading its view (every host's state) every 100 ms, as a watcher would (the CLI
 * follows a run every 400 ms): a tighter loop would measure Steward serving views rather than running the work.
 * Throws with the first failed hosts unless it succeeded. Returns its id.
 */
async function waitRun(client: ClusterClient, runId: string): Promise<string> {
  for (;;) {
    const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs/${runId}`);
    if (body.finishedAt) {
      if (body.status !== 'succeeded') {
        const failed = (body.hosts as { status: string }[]).filter((h) => h.status === 'failed').slice(0, 3);
        throw new Error(`run ${body.status}: ${JSON.stringify(failed)}`);
      }
      return runId;
    }
    await sleep(100);
  }
}

const sizesOf = (text: string | undefined): number[] =>
  (text ?? '')
    .split(',')
    .filter((x) => x.trim() !== '')
    .map(Number);

/**
 * `STEWARD_BENCH_FLEET_SIZES` (default 50,100): sizes measured in full. `STEWARD_BENCH_FANOUT_SIZES` (default none,
 * e.g. 1000): sizes at which only the `uptime` fan-out is measured, against parallel-ssh (no discovery, no Ansible).
 */
export async function benchFleet(
  sizes: number[] = sizesOf(process.env.STEWARD_BENCH_FLEET_SIZES ?? '50,100'),
  fanoutSizes: number[] = sizesOf(process.env.STEWARD_BENCH_FANOUT_SIZES),
): Promise<{ results: FleetBench[]; missingPeers: string[] }> {
  const missingPeers = ensurePeers();
  // STEWARD_BENCH_FLEET_PEERS=0 measures Steward alone (a quicker loop while working on it; no ratios).
  const noPeer = (name: string) => missingPeers.includes(name) || process.env.STEWARD_BENCH_FLEET_PEERS === '0';
  // Steward runs as `npm start` runs it: the built CLI in a process of its own, so its CPU and memory are its own.
  execFileSync('npm', ['run', 'build:server'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const results: FleetBench[] = [];
  for (const [n, fanoutOnly] of [
    ...sizes.map((x) => [x, false] as const),
    ...fanoutSizes.map((x) => [x, true] as const),
  ]) {
    execFileSync('bash', [`${PEERS}/fleet.sh`, 'start', String(n)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FLEET_DIR, FLEET_LOGLEVEL: 'INFO' },
    });
    let cluster: Cluster | undefined;
    let control: Core | undefined;
    try {
      cluster = await startCluster({
        engine: 'sqlite',
        apis: 1,
        workers: 0,
        compiled: true,
        nodeFlags: process.env.STEWARD_BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [],
        env: {
          STEWARD_SSH_MAX_CONCURRENCY: '50',
          STEWARD_JOBS_POLL_MS: '20',
          // The peer fleet's sshds listen on 127.0.X.Y: the operator lets servers be on loopback.
          STEWARD_SERVER_ADDRESSES: 'public,private,loopback',
        },
      });
      const pid = cluster.nodes[0]!.pid;
      const client = new ClusterClient(cluster.apis.map((a) => a.url!));
      control = await controlCore(cluster.env);
      // Asked in this process: sign-ups are rare, and the node should be measured without the password dictionaries.
      const signup = control.signup;
      await client.signUp(cluster.mail, (input) => signup.requestSignUp(input, {}));
      const hosts = JSON.parse(readFileSync(join(FLEET_DIR, 'hosts.json'), 'utf8')) as FleetHost[];
      // The fleet's client key stands in for the organisation's key (enrolment would edit this machine's root keys).
      const seeds = hosts.map((h) => ({ address: h.host, port: h.port, user: h.user, hostKey: h.hostKey }));
      const ids = await seedServers(control, client.orgId, seeds, {
        privateKey: readFileSync(join(FLEET_DIR, 'client_ed25519'), 'utf8'),
        publicKey: readFileSync(join(FLEET_DIR, 'client_ed25519.pub'), 'utf8').trim(),
      });
      const discover = async (serverIds: string[], full: boolean) =>
        waitRun(
          client,
          (await client.post(`/api/orgs/${client.orgId}/discovery`, { serverIds, full })).body.runId as string,
        );
      // A warm-up run (the script's first run on a host pays for cold caches on both sides).
      await discover(ids.slice(0, 2), true);
      const idleRssMiB = procStat(pid).rssMiB;
      let firstRun = '';
      let repeatRun = '';
      const stewardDiscover = fanoutOnly
        ? null
        : await measure(pid, async () => void (firstRun = await discover(ids, true)));
      const stewardRediscover = fanoutOnly
        ? null
        : await measure(pid, async () => void (repeatRun = await discover(ids, false)));
      const stewardUptime = await measure(pid, async () => {
        const res = await client.post(`/api/orgs/${client.orgId}/commands`, { argv: ['uptime'], serverIds: ids });
        await waitRun(client, res.body.id as string);
      });
      results.push({
        n,
        idleRssMiB,
        stewardDiscover,
        stewardRediscover,
        hostCpuFirst: fanoutOnly ? null : await hostCpuOf(control, firstRun),
        hostCpuRepeat: fanoutOnly ? null : await hostCpuOf(control, repeatRun),
        stewardUptime,
        ansibleSetup: fanoutOnly || noPeer('ansible') ? null : peer('ansible_setup', 'CMD_ANSIBLE_SETUP', n),
        psshUptime: noPeer('pssh') ? null : peer('pssh', 'CMD_PSSH', n),
        psshUptimeX25519: noPeer('pssh') ? null : peer('pssh_x25519', 'CMD_PSSH_X25519', n),
      });
    } finally {
      await control?.close();
      await cluster?.close();
      execFileSync('bash', [`${PEERS}/fleet.sh`, 'stop'], { stdio: 'ignore', env: { ...process.env, FLEET_DIR } });
    }
  }
  return { results, missingPeers };
}
