import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Secret } from '../src/kernel/secret.js';
import { sleep } from '../src/kernel/clock.js';
import { newId } from '../src/kernel/ids.js';
import { signUp } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/**
 * Steward against Ansible and parallel-ssh on the same fleet in the same run: the peer harness in
 * ../shared/bench starts N real sshd hosts on loopback; Steward discovers them and runs `uptime` on them; the
 * peers do the same. Steward's figures are wall time, CPU time and peak RSS of its own process.
 */

const PEERS = resolve(process.env.STEWARD_PEERBENCH_DIR ?? '../shared/bench/peers');
const FLEET_DIR = join(process.env.TMPDIR ?? '/tmp', 'steward-peerbench', 'fleet');

export interface Measure {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMiB: number;
}

/** Median host CPU per script step across the hosts of one run, in ms (from each host's "Host CPU" log line). */
export type HostCpu = Readonly<Record<string, number>>;

export interface FleetBench {
  readonly n: number;
  /** A full discovery (every section runs). */
  readonly stewardDiscover: Measure;
  /** The next discovery of the same unchanged hosts (unchanged sections answer in one line). */
  readonly stewardRediscover: Measure;
  readonly hostCpuFirst: HostCpu;
  readonly hostCpuRepeat: HostCpu;
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

async function measure(fn: () => Promise<void>): Promise<Measure> {
  const cpu0 = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(sampler);
  }
  const cpu = process.cpuUsage(cpu0);
  return {
    wallS: (performance.now() - t0) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMiB: Math.max(peak, process.memoryUsage().rss) / 1048576,
  };
}

/** Runs one peer command line from tools.sh through the harness's bench.py; medians of `runs`. */
function peer(label: string, variable: string, n: number, runs = 1): Measure | null {
  const out = join(mkdtempSync(join(tmpdir(), 'steward-peer-')), 'runs.jsonl');
  const script = `set -e; . ${PEERS}/tools.sh; python3 ${PEERS}/bench.py --label ${label} --n ${n} --runs ${runs} --out ${out} -- "$${variable}"`;
  const res = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, FLEET_DIR } });
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
  return { wallS: median('wall_s'), cpuS: median('client_cpu_s'), peakRssMiB: median('maxrss_mib') };
}

async function seedFleet(s: TestSteward, orgId: string): Promise<string[]> {
  const hosts = JSON.parse(readFileSync(join(FLEET_DIR, 'hosts.json'), 'utf8')) as {
    name: string;
    host: string;
    port: number;
    user: string;
    hostKey: string;
  }[];
  const clientKey = readFileSync(join(FLEET_DIR, 'client_ed25519'), 'utf8');
  // The fleet's client key stands in for the organisation's key (enrolment would edit this machine's root keys).
  await s.core.db
    .insertInto('org_ssh_keys')
    .values({
      org_id: orgId,
      public_key: readFileSync(join(FLEET_DIR, 'client_ed25519.pub'), 'utf8').trim(),
      fingerprint: 'bench',
      private_sealed: await s.core.vault.seal(
        { scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId },
        new Secret(clientKey),
      ),
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) => oc.column('org_id').doNothing())
    .execute();
  const ids: string[] = [];
  for (const h of hosts) {
    const id = newId('srv');
    ids.push(id);
    const now = new Date().toISOString();
    await s.core.db
      .insertInto('servers')
      .values({
        id,
        org_id: orgId,
        name: h.name,
        address: h.host,
        port: h.port,
        username: h.user,
        status: 'ready',
        status_reason: null,
        host_key: h.hostKey.split(' ').slice(0, 2).join(' '),
        host_key_fingerprint: null,
        host_key_source: 'provided',
        host_key_pinned_at: now,
        presented_fingerprint: null,
        login: 'org_key',
        bootstrap_kind: null,
        bootstrap_sealed: null,
        provider_account_id: null,
        provider_node_id: null,
        created_by: 'bench',
        created_at: now,
        updated_at: now,
        last_contact_at: null,
      })
      .execute();
  }
  return ids;
}

/** Medians per step of the "Host CPU: … ms (step ms, …)." lines a discovery run logged. */
async function hostCpuOf(s: TestSteward, runId: string): Promise<HostCpu> {
  const rows = await s.core.db.selectFrom('task_output').select('data').where('run_id', '=', runId).execute();
  const per = new Map<string, number[]>();
  for (const { data } of rows) {
    const m = /Host CPU: (\d+) ms \(([^)]*)\)/.exec(data);
    if (!m) continue;
    for (const [k, v] of [['total', m[1]!], ...m[2]!.split(', ').map((p) => p.split(' '))] as [string, string][])
      per.set(k, [...(per.get(k) ?? []), Number(v)]);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return Object.fromEntries([...per].map(([k, xs]) => [k, median(xs)]));
}

async function waitRun(s: TestSteward, orgId: string, runId: string): Promise<string> {
  for (;;) {
    const run = await s.core.db
      .selectFrom('task_runs')
      .select(['status', 'finished_at'])
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    if (run.finished_at) {
      if (run.status !== 'succeeded') {
        const failed = await s.core.db
          .selectFrom('task_run_hosts')
          .select(['server_id', 'error'])
          .where('run_id', '=', runId)
          .where('status', '=', 'failed')
          .limit(3)
          .execute();
        throw new Error(`run ${run.status}: ${JSON.stringify(failed)}`);
      }
      return runId;
    }
    await sleep(20);
  }
}

export async function benchFleet(
  sizes: number[] = (process.env.STEWARD_BENCH_FLEET_SIZES ?? '50,100').split(',').map(Number),
): Promise<{ results: FleetBench[]; missingPeers: string[] }> {
  const missingPeers = ensurePeers();
  const results: FleetBench[] = [];
  for (const n of sizes) {
    execFileSync('bash', [`${PEERS}/fleet.sh`, 'start', String(n)], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, FLEET_DIR, FLEET_LOGLEVEL: 'INFO' },
    });
    const s = await startTestSteward({
      engine: 'sqlite',
      env: {
        STEWARD_LOG_LEVEL: 'warn',
        STEWARD_SSH_MAX_CONCURRENCY: '50',
        STEWARD_JOBS_POLL_MS: '20',
        // The peer fleet's sshds listen on 127.0.X.Y: the operator lets servers be on loopback.
        STEWARD_SERVER_ADDRESSES: 'public,private,loopback',
      },
    });
    try {
      s.core.queue.start();
      const a = await signUp(s.app);
      const ids = await seedFleet(s, a.orgId);
      const actor = (await s.core.sessions.authenticateSession(a.client.auth.cookie!.split('=')[1]!))!;
      // A warm-up run (the script's first run on a host pays for cold caches on both sides).
      await waitRun(
        s,
        a.orgId,
        (await s.core.discovery.requestDiscovery(actor, a.orgId, { serverIds: ids.slice(0, 2) }, {})).id,
      );
      const discover = async (full: boolean) =>
        waitRun(s, a.orgId, (await s.core.discovery.requestDiscovery(actor, a.orgId, { serverIds: ids, full }, {})).id);
      let firstRun = '';
      let repeatRun = '';
      const stewardDiscover = await measure(async () => void (firstRun = await discover(true)));
      const stewardRediscover = await measure(async () => void (repeatRun = await discover(false)));
      const stewardUptime = await measure(async () => {
        await waitRun(
          s,
          a.orgId,
          (await s.core.tasks.runCommand(actor, a.orgId, { argv: ['uptime'], serverIds: ids }, {})).id,
        );
      });
      results.push({
        n,
        stewardDiscover,
        stewardRediscover,
        hostCpuFirst: await hostCpuOf(s, firstRun),
        hostCpuRepeat: await hostCpuOf(s, repeatRun),
        stewardUptime,
        ansibleSetup: missingPeers.includes('ansible') ? null : peer('ansible_setup', 'CMD_ANSIBLE_SETUP', n),
        psshUptime: missingPeers.includes('pssh') ? null : peer('pssh', 'CMD_PSSH', n),
        psshUptimeX25519: missingPeers.includes('pssh') ? null : peer('pssh_x25519', 'CMD_PSSH_X25519', n),
      });
    } finally {
      await s.close();
      execFileSync('bash', [`${PEERS}/fleet.sh`, 'stop'], { stdio: 'ignore', env: { ...process.env, FLEET_DIR } });
    }
  }
  return { results, missingPeers };
}
