// Engine: PostgreSQL only: many nodes need PostgreSQL (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { ClusterClient, startCluster, type Cluster } from '../testkit/cluster.js';
import { rawQuery } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { ec2Account, startFakeClouds } from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

/**
 * Standing schedules across processes: two workers (and an API node) on one PostgreSQL. Each schedule fires once
 * per interval for the whole cluster, not once per worker: the instance status sync (a chain of jobs), the scan
 * for due discovery schedules (a cluster schedule), and the per-server discovery schedules it starts.
 */
describe('cluster: schedules fire once per interval across processes', () => {
  const fleet = useFleet({ count: 3, spec: (i) => ({ name: `sched-${i}` }) });
  let clouds: Clouds;
  let cluster: Cluster;
  let client: ClusterClient;
  const SYNC_SECONDS = 1;
  const TICK_MS = 500;

  beforeAll(async () => {
    clouds = await startFakeClouds({ transitionMs: 200 });
    cluster = await startCluster({
      apis: 1,
      workers: 2,
      env: {
        STEWARD_SANDBOX_ENDPOINTS: 'true',
        STEWARD_INSTANCE_SYNC_SECONDS: String(SYNC_SECONDS),
        STEWARD_SCHEDULER_TICK_MS: String(TICK_MS),
        STEWARD_AUDIT_TIMEOUT_MS: '10000',
      },
    });
    client = new ClusterClient(cluster.apis.map((n) => n.url!));
    await client.signUp(cluster.mail);
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
    await clouds?.close();
  });

  it('the status sync runs once per interval for the cluster, as one chain of jobs', async () => {
    const res = await client.post(`/api/orgs/${client.orgId}/provider-accounts`, ec2Account(clouds));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const accountId = res.body.id as string;
    // 1. Watch the chain for a while: never two sync jobs waiting, never two running (a running job enqueues its
    //    successor just before it finishes, so one of each may exist for a moment).
    const started = Date.now();
    let most = 0;
    let mostRunning = 0;
    while (Date.now() - started < 8000) {
      const rows = await rawQuery(
        cluster.db,
        `SELECT count(*) FILTER (WHERE state IN ('created', 'retry'))::int AS waiting, count(*) FILTER (WHERE state = 'active')::int AS running FROM ${cluster.env.STEWARD_JOBS_SCHEMA}.job WHERE name = 'provisioning.sync'`,
      );
      most = Math.max(most, Number(rows[0]!.waiting));
      mostRunning = Math.max(mostRunning, Number(rows[0]!.running));
      await sleep(100);
    }
    expect(most).toBe(1);
    expect(mostRunning).toBeLessThanOrEqual(1);
    // 2. Each run lists the account once (ledgered as the standing instruction): about one per interval, not two.
    //    On a loaded machine the chain may be slower than its interval, so wait for three runs rather than count
    //    what a fixed window held; then no more runs than intervals have passed (plus the two in flight).
    const calls = async () =>
      Number(
        (
          await rawQuery(
            cluster.db,
            `SELECT count(*)::int AS n FROM credential_uses WHERE (credential_id = $1 OR target_id = $1) AND operation = 'ec2.DescribeInstances' AND instruction_type = 'schedule'`,
            [accountId],
          )
        )[0]!.n,
      );
    await until('three status syncs', async () => ((await calls()) >= 3 ? true : undefined), { timeoutMs: 60_000 });
    const elapsedS = (Date.now() - started) / 1000;
    expect(await calls()).toBeLessThanOrEqual(Math.ceil(elapsedS / SYNC_SECONDS) + 2);
    // 3. The chain's jobs complete (they went to whichever worker was free).
    const completed = async () =>
      Number(
        (
          await rawQuery(
            cluster.db,
            `SELECT count(*)::int AS n FROM ${cluster.env.STEWARD_JOBS_SCHEMA}.job WHERE name = 'provisioning.sync' AND state = 'completed'`,
          )
        )[0]!.n,
      );
    await until('three completed sync jobs', async () => ((await completed()) >= 3 ? true : undefined), {
      timeoutMs: 60_000,
    });
    console.log(
      'status sync across two workers',
      JSON.stringify({ elapsedS, describeCalls: await calls(), mostQueuedAtOnce: most }),
    );
  }, 120_000);

  it('the scan for due schedules runs once per tick for the cluster, taken by either worker', async () => {
    const before = await rawQuery(cluster.db, `SELECT runs FROM cluster_schedules WHERE name = 'discovery.due'`);
    const started = Date.now();
    const seenBy = new Set<string>();
    while (Date.now() - started < 6000) {
      const rows = await rawQuery(cluster.db, `SELECT last_run_by FROM cluster_schedules WHERE name = 'discovery.due'`);
      if (rows[0]?.last_run_by) seenBy.add(String(rows[0].last_run_by).split(':')[1]!);
      await sleep(50);
    }
    const after = await rawQuery(cluster.db, `SELECT runs FROM cluster_schedules WHERE name = 'discovery.due'`);
    const runs = Number(after[0]!.runs) - Number(before[0]?.runs ?? 0);
    const slots = (Date.now() - started) / TICK_MS;
    expect(runs).toBeLessThanOrEqual(Math.ceil(slots) + 1);
    expect(runs).toBeGreaterThanOrEqual(Math.floor(slots / 3));
    expect([...seenBy].every((pid) => cluster.workers.some((w) => String(w.pid) === pid))).toBe(true);
    console.log(
      'discovery scan across two workers',
      JSON.stringify({ slots: Math.round(slots), runs, workersSeen: seenBy.size }),
    );
  }, 60_000);

  it('a due discovery schedule starts exactly one discovery per interval, however many workers look', async () => {
    const ids: string[] = [];
    for (const [i, host] of fleet.hosts.entries()) {
      const res = await client.post(`/api/orgs/${client.orgId}/servers`, {
        name: `s${i}`,
        address: host.address,
        port: host.port,
        privateKey: fleet.clientKey.privateKey,
        hostKey: host.hostKeys[0]!.publicKey,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      ids.push(res.body.id);
    }
    await until(
      'servers ready',
      async () =>
        (await client.get(`/api/orgs/${client.orgId}/servers`)).body.servers.every(
          (s: { status: string }) => s.status === 'ready',
        ),
      { timeoutMs: 120_000, everyMs: 200 },
    );
    for (const id of ids)
      expect(
        (await client.request('PUT', `/api/orgs/${client.orgId}/servers/${id}/discovery-schedule`, { everyMinutes: 5 }))
          .status,
      ).toBe(200);
    const scheduledRuns = async () =>
      Number(
        (
          await rawQuery(
            cluster.db,
            `SELECT count(*)::int AS n FROM task_runs WHERE org_id = $1 AND kind = 'discovery' AND instruction_type = 'schedule'`,
            [client.orgId],
          )
        )[0]!.n,
      );
    expect(await scheduledRuns()).toBe(0);
    for (const round of [1, 2]) {
      // 1. Make every schedule due now, as if five minutes had passed.
      await rawQuery(cluster.db, `UPDATE discovery_schedules SET next_run_at = $1 WHERE org_id = $2`, [
        new Date(Date.now() - 1000).toISOString(),
        client.orgId,
      ]);
      // 2. Both workers scan every half second; each schedule still fires once, and moves five minutes on.
      await until(`round ${round}`, async () => (await scheduledRuns()) >= 3 * round, {
        timeoutMs: 120_000,
        everyMs: 200,
      });
      await sleep(3 * TICK_MS);
      expect(await scheduledRuns()).toBe(3 * round);
      const next = await rawQuery(cluster.db, `SELECT next_run_at FROM discovery_schedules WHERE org_id = $1`, [
        client.orgId,
      ]);
      for (const row of next) expect(Date.parse(String(row.next_run_at))).toBeGreaterThan(Date.now() + 4 * 60_000);
    }
  }, 240_000);
});
