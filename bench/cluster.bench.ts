import { createCore, type Core } from '../src/core/core.js';
import { openDatabase } from '../src/db/database.js';
import { sleep, systemClock } from '../src/kernel/clock.js';
import { loadConfig } from '../src/kernel/config.js';
import { newId } from '../src/kernel/ids.js';
import { createLogger } from '../src/kernel/logger.js';
import { Secret } from '../src/kernel/secret.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { ClusterClient, startCluster, type Cluster } from '../testkit/cluster.js';
import { createFleetLauncher, disposeFleetLauncher, newClientKey } from '../testkit/fleet.js';

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

/** Registers the fleet as ready servers of the organisation, with the fleet's client key as the organisation's key. */
async function seed(core: Core, orgId: string, hosts: readonly TestHost[], key: { privateKey: string; publicKey: string }): Promise<void> {
  const now = new Date().toISOString();
  const sealed = await core.vault.seal({ scope: orgId, table: 'org_ssh_keys', column: 'private_sealed', row: orgId }, new Secret(key.privateKey));
  await core.db.insertInto('org_ssh_keys').values({ org_id: orgId, public_key: key.publicKey, fingerprint: 'bench', private_sealed: sealed, created_at: now }).onConflict((oc) => oc.column('org_id').doNothing()).execute();
  for (const [i, h] of hosts.entries()) {
    await core.db.insertInto('servers').values({
      id: newId('srv'), org_id: orgId, name: `bench-${i}`, address: h.address, port: h.port, username: 'root', status: 'ready', status_reason: null,
      host_key: h.hostKeys[0]!.publicKey.split(' ').slice(0, 2).join(' '), host_key_fingerprint: null, host_key_source: 'provided', host_key_pinned_at: now,
      presented_fingerprint: null, login: 'org_key', bootstrap_kind: null, bootstrap_sealed: null, provider_account_id: null, provider_node_id: null,
      created_by: 'bench', created_at: now, updated_at: now, last_contact_at: null,
    }).execute();
  }
}

async function timed(client: ClusterClient, start: () => Promise<string>): Promise<number> {
  const t0 = performance.now();
  const runId = await start();
  for (;;) {
    const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs/${runId}`);
    if (body.finishedAt) {
      if (body.status !== 'succeeded') throw new Error(`run ${body.status}: ${JSON.stringify(body.hosts.filter((h: { status: string }) => h.status === 'failed').slice(0, 3))}`);
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
    cluster = await startCluster({ apis: 1, workers: 1, env: { STEWARD_JOBS_PER_ORG: String(n), STEWARD_SSH_MAX_CONCURRENCY: '25', STEWARD_JOBS_POLL_MS: '100', STEWARD_AUDIT_TIMEOUT_MS: '10000' } });
    const client = new ClusterClient(cluster.apis.map((a) => a.url!));
    await client.signUp();
    // A core in this process only to seal the organisation's key with the cluster's root key; it runs no jobs.
    const config = loadConfig(cluster.env);
    control = createCore({ config, database: openDatabase(config.database), clock: systemClock, logger: createLogger({ level: 'silent' }) });
    await control.start();
    await seed(control, client.orgId, hosts, key);
    const uptime = () => client.post(`/api/orgs/${client.orgId}/commands`, { argv: ['uptime'], all: true }).then((r) => r.body.id as string);
    await timed(client, uptime); // warm-up: first logins, pools, caches
    const one = await timed(client, uptime);
    await cluster.startNode('worker');
    const two = await timed(client, uptime);
    const discovery = await timed(client, () => client.post(`/api/orgs/${client.orgId}/discovery`, { all: true }).then((r) => r.body.runId as string));
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
