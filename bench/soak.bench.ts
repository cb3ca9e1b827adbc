import type { Core } from '../src/core/core.js';
import { sleep } from '../src/kernel/clock.js';
import type { Json } from '../testkit/client.js';
import { ClusterClient, percentile, startCluster, type Cluster } from '../testkit/cluster.js';
import { rawQuery } from '../testkit/db.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { createFleetLauncher, disposeFleetLauncher, newClientKey } from '../testkit/fleet.js';
import { controlCore, seedServers } from './seed.js';

/**
 * The soak: `hosts` shared-mode sshd hosts split over `orgs` organisations, each organisation running `rounds`
 * `uptime` fan-outs over all its servers at once with the others, while every organisation also writes through
 * the API (a credential sealed and removed, again and again). Measured on the PostgreSQL cluster (one API node,
 * two workers) and on a single SQLite node, on the same hosts in the same run: audited events per second, the
 * API write latency during the load, and refused actions (5xx answers, hosts failed for being busy; goal 0).
 */

export interface SoakMode {
  readonly mode: 'cluster (PostgreSQL, 2 workers)' | 'single node (SQLite)';
  readonly wallS: number;
  readonly hostJobs: number;
  readonly auditedEventsPerSec: number;
  readonly writes: number;
  readonly writeP50Ms: number;
  readonly writeP99Ms: number;
  readonly refused: number;
  readonly runsNotSucceeded: number;
  /** The first few reasons, when anything was refused or failed. */
  readonly firstFailures: readonly string[];
}

export interface SoakBench {
  readonly hosts: number;
  readonly orgs: number;
  readonly rounds: number;
  readonly modes: readonly SoakMode[];
}

async function soakOn(
  engine: 'postgres' | 'sqlite',
  hosts: readonly TestHost[],
  orgs: number,
  rounds: number,
  key: { privateKey: string; publicKey: string },
): Promise<SoakMode> {
  let cluster: Cluster | undefined;
  let control: Core | undefined;
  const perOrg = Math.ceil(hosts.length / orgs);
  try {
    cluster = await startCluster({
      engine,
      apis: 1,
      workers: engine === 'postgres' ? 2 : 0,
      env: {
        STEWARD_JOBS_PER_ORG: String(perOrg),
        STEWARD_SSH_MAX_CONCURRENCY: '50',
        STEWARD_JOBS_POLL_MS: '100',
        STEWARD_SERVER_ADDRESSES: 'public,private,loopback',
      },
    });
    control = await controlCore(cluster.env);
    const clients: ClusterClient[] = [];
    for (let o = 0; o < orgs; o++) {
      const client = new ClusterClient(cluster.apis.map((a) => a.url!));
      await client.signUp(cluster.mail);
      const mine = hosts.slice(o * perOrg, (o + 1) * perOrg);
      await seedServers(
        control,
        client.orgId,
        mine.map((h) => ({ address: h.address, port: h.port, hostKey: h.hostKeys[0]!.publicKey })),
        key,
      );
      clients.push(client);
    }

    const failures: string[] = [];
    const writeMs: number[] = [];
    let refused = 0;
    let notSucceeded = 0;
    let loading = true;
    const started = Date.now();
    const note = <T extends { status: number; body: Json }>(what: string, res: T): T => {
      if (res.status >= 500) {
        refused++;
        failures.push(`${what}: ${res.status} ${res.body?.error?.code ?? ''}`);
      }
      return res;
    };
    const fanOuts = clients.map(async (client) => {
      for (let r = 0; r < rounds; r++) {
        const res = note(
          'fan-out',
          await client.post(`/api/orgs/${client.orgId}/commands`, { argv: ['uptime'], all: true }),
        );
        if (res.status !== 202) continue;
        for (;;) {
          const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs/${res.body.id as string}`);
          if (body.finishedAt) {
            if (body.status !== 'succeeded') {
              notSucceeded++;
              const failed = body.hosts.filter((h: { status: string }) => h.status === 'failed');
              refused += failed.filter((h: { error: string }) => /audit log|unexpectedly|busy/i.test(h.error)).length;
              failures.push(...failed.slice(0, 2).map((h: { error: string }) => `host: ${h.error}`));
            }
            break;
          }
          await sleep(250);
        }
      }
    });
    const writers = clients.map(async (client, o) => {
      for (let i = 0; loading; i++) {
        const t0 = performance.now();
        const made = note(
          'write',
          await client.post(`/api/orgs/${client.orgId}/credentials`, {
            kind: 'password',
            name: `soak-${o}-${i}`,
            value: `soak value ${i}`,
          }),
        );
        writeMs.push(performance.now() - t0);
        if (made.status === 201) {
          const t1 = performance.now();
          note('write', await client.request('DELETE', `/api/orgs/${client.orgId}/credentials/${made.body.id}`));
          writeMs.push(performance.now() - t1);
        }
        await sleep(200);
      }
    });
    await Promise.all(fanOuts);
    loading = false;
    await Promise.all(writers);
    const ended = Date.now();
    const events = await rawQuery(cluster.db, 'SELECT COUNT(*) AS n FROM audit_log WHERE at >= $1 AND at <= $2', [
      new Date(started).toISOString(),
      new Date(ended).toISOString(),
    ]);
    const wallS = (ended - started) / 1000;
    return {
      mode: engine === 'postgres' ? 'cluster (PostgreSQL, 2 workers)' : 'single node (SQLite)',
      wallS,
      hostJobs: perOrg * orgs * rounds,
      auditedEventsPerSec: Number(events[0]!.n) / wallS,
      writes: writeMs.length,
      writeP50Ms: Math.round(percentile(writeMs, 50)),
      writeP99Ms: Math.round(percentile(writeMs, 99)),
      refused,
      runsNotSucceeded: notSucceeded,
      firstFailures: failures.slice(0, 5),
    };
  } finally {
    await control?.close();
    await cluster?.close();
  }
}

export async function benchSoak(
  n = Number(process.env.STEWARD_BENCH_SOAK_HOSTS ?? 1000),
  orgs = 10,
  rounds = 2,
): Promise<SoakBench> {
  const key = newClientKey();
  const launcher = await createFleetLauncher({ mode: 'shared' }, [key.publicKey]);
  try {
    const hosts = await launcher.launchMany(n);
    const modes = [
      await soakOn('postgres', hosts, orgs, rounds, key),
      await soakOn('sqlite', hosts, orgs, rounds, key),
    ];
    return { hosts: n, orgs, rounds, modes };
  } finally {
    await disposeFleetLauncher(launcher);
  }
}
