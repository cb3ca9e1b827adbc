import type { Core } from '../src/core/core.js';
import { sleep } from '../src/kernel/clock.js';
import { ClusterClient, startCluster, type Cluster } from '../testkit/cluster.js';
import { createFleetLauncher, disposeFleetLauncher, newClientKey } from '../testkit/fleet.js';
import { controlCore, seedServers } from './seed.js';

/**
 * The cluster on PostgreSQL: fan-out throughput (host jobs per second) of one worker, then of two on the same
 * fleet (a worker is added between the measurements), and discovery of the whole fleet end to end (API request to
 * the last snapshot). The fleet is shared-mode test hosts: plain sshd processes on loopback, cheap enough for 100.
 */

export interface ClusterBench {
  readonly hosts: number;
  readonly oneWorker: { readonly wallS: number; readonly jobsPerSec: number };
  readonly twoWorkers: { readonly wallS: number; readonly jobsPerSec: number };
  readonly discovery: { readonly wallS: number; readonly hostsPerSec: number };
}

async function timed(client: ClusterClient, start: () => Promise<string>): Promise<number> {
  const t0 = performance.now();
  const runId = await start();
  for (;;) {
    const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs/${runId}`);
    if (body.finishedAt) {
      if (body.status !== 'succeeded')
        throw new Error(
          `run ${body.status}: ${JSON.stringify(body.hosts.filter((h: { status: string }) => h.status === 'failed').slice(0, 3))}`,
        );
      return (performance.now() - t0) / 1000;
    }
    await sleep(50);
  }
}

export async function benchCluster(n = 100): Promise<ClusterBench> {
  const key = newClientKey();
  const launcher = await createFleetLauncher({ mode: 'shared' }, [key.publicKey]);
  let cluster: Cluster | undefined;
  let control: Core | undefined;
  try {
    const hosts = await launcher.launchMany(n);
    cluster = await startCluster({
      apis: 1,
      workers: 1,
      env: {
        STEWARD_JOBS_PER_ORG: String(n),
        STEWARD_SSH_MAX_CONCURRENCY: '25',
        STEWARD_JOBS_POLL_MS: '100',
        STEWARD_AUDIT_TIMEOUT_MS: '10000',
        // The shared hosts are sshd processes on 127.0.x.y: the operator lets servers be on loopback.
        STEWARD_SERVER_ADDRESSES: 'public,private,loopback',
      },
    });
    const client = new ClusterClient(cluster.apis.map((a) => a.url!));
    await client.signUp(cluster.mail);
    // A core in this process only to seal the organisation's key with the cluster's root key; it runs no jobs.
    control = await controlCore(cluster.env);
    await seedServers(
      control,
      client.orgId,
      hosts.map((h) => ({ address: h.address, port: h.port, hostKey: h.hostKeys[0]!.publicKey })),
      key,
    );
    const uptime = () =>
      client
        .post(`/api/orgs/${client.orgId}/commands`, { argv: ['uptime'], all: true })
        .then((r) => r.body.id as string);
    await timed(client, uptime); // warm-up: first logins, pools, caches
    const one = await timed(client, uptime);
    await cluster.startNode('worker');
    const two = await timed(client, uptime);
    const discovery = await timed(client, () =>
      client.post(`/api/orgs/${client.orgId}/discovery`, { all: true }).then((r) => r.body.runId as string),
    );
    return {
      hosts: n,
      oneWorker: { wallS: one, jobsPerSec: n / one },
      twoWorkers: { wallS: two, jobsPerSec: n / two },
      discovery: { wallS: discovery, hostsPerSec: n / discovery },
    };
  } finally {
    await control?.close();
    await cluster?.close();
    await disposeFleetLauncher(launcher);
  }
}
