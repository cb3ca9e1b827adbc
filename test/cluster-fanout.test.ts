// Engine: PostgreSQL only: many nodes need PostgreSQL (docs/testing.md).
import type { Json } from '../testkit/client.js';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { ClusterClient, startCluster, type Cluster, type ClusterNode } from '../testkit/cluster.js';
import { TRIPWIRE_FILE } from '../testkit/cluster-recipes.js';
import { rawQuery } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { until } from '../testkit/wait.js';

const PRELOAD = fileURLToPath(new URL('../testkit/cluster-recipes.ts', import.meta.url));
const HOSTS = 30;
/** Host jobs one organisation may run at once across the cluster; lower than the two workers' 2 × 4 slots, so it binds. */
const PER_ORG = 5;
const LEASE_SECONDS = 15;
const HOLD_SECONDS = 6;

const pidOf = (claim: string | null) => (claim ? Number(claim.split(':')[1]) : undefined);

/**
 * Two API nodes and two workers on PostgreSQL, 30 real isolated hosts. A recipe run fans out into one job per
 * host, spread over both workers under a cluster-wide cap per organisation; one worker is killed with SIGKILL in
 * the middle; the other takes its hosts over after the lease and resumes them, and the counters on every host
 * show each step applied exactly once.
 */
describe('cluster: fan-out over many workers survives a dead worker', () => {
  // Two at a time: on a loaded machine a stampede of host boots can miss the launcher's start deadline.
  const fleet = useFleet({ count: HOSTS, concurrency: 2, spec: (i) => ({ name: `cluster-${i}` }) });
  let cluster: Cluster;
  let client: ClusterClient;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    cluster = await startCluster({
      apis: 2,
      workers: 2,
      preload: [PRELOAD],
      env: {
        STEWARD_JOBS_LEASE_SECONDS: String(LEASE_SECONDS),
        STEWARD_JOBS_PER_ORG: String(PER_ORG),
        STEWARD_SSH_MAX_CONCURRENCY: '4',
        STEWARD_SCHEDULER_TICK_MS: '1000',
        STEWARD_AUDIT_TIMEOUT_MS: '10000',
      },
    });
    timings.clusterStartMs = Date.now() - started;
    client = new ClusterClient(cluster.apis.map((n) => n.url!));
  }, 300_000);
  afterAll(async () => {
    await cluster?.close();
  });

  const failWith = (err: unknown): never => {
    const tails = (cluster?.nodes ?? [])
      .map((n) => `── ${n.role} ${n.pid}\n${n.output().split('\n').slice(-30).join('\n')}`)
      .join('\n');
    throw new Error(`${(err as Error).message}\n${tails}`);
  };

  it('adds 30 servers through both API nodes; the workers enrol and discover them', async () => {
    try {
      const started = Date.now();
      await client.signUp(cluster.mail);
      for (const [i, host] of fleet.hosts.entries()) {
        const body = {
          name: `c${i}`,
          address: host.address,
          port: host.port,
          privateKey: fleet.clientKey.privateKey,
          hostKey: host.hostKeys[0]!.publicKey,
        };
        // A 503 (audit or database busy on this loaded machine) changed nothing and says to try again.
        const res = await until(
          `server ${i} added`,
          async () => {
            const r = await client.post(`/api/orgs/${client.orgId}/servers`, body);
            return r.status === 503 ? undefined : r;
          },
          { timeoutMs: 60_000, everyMs: 500 },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(202);
      }
      await until(
        'every server ready',
        async () => {
          const { body } = await client.get(`/api/orgs/${client.orgId}/servers`);
          return body.servers.length === HOSTS && body.servers.every((s: { status: string }) => s.status === 'ready');
        },
        { timeoutMs: 180_000 },
      );
      // Each new server is discovered at once (one run per server); wait for those to settle.
      await until(
        'the first discoveries',
        async () => {
          const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs?limit=100`);
          return (
            body.runs.length >= HOSTS && body.runs.every((r: { finishedAt: string | null }) => r.finishedAt !== null)
          );
        },
        { timeoutMs: 180_000 },
      );
      timings.enrolAndDiscoverMs = Date.now() - started;
    } catch (err) {
      failWith(err);
    }
  }, 400_000);

  it('runs each host’s job once across both workers, within the cap, and resumes a killed worker’s hosts without repeating a step', async () => {
    try {
      const [survivor, victim] = cluster.workers as [ClusterNode, ClusterNode];
      const tag = `run-${Date.now().toString(36)}`;
      const started = Date.now();
      const res = await client.post(`/api/orgs/${client.orgId}/task-runs`, {
        recipe: 'test-tripwire',
        params: { tag, holdSeconds: HOLD_SECONDS },
        all: true,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      const runId = res.body.id as string;

      // 1. Sample what runs where while the run goes on.
      let peak = 0;
      let sampling = true;
      let victimKilled = false;
      const sampler = (async () => {
        while (sampling) {
          // Rows a killed worker left 'running' are not running anywhere; they wait for the survivor to take them.
          const rows = await rawQuery(
            cluster.db,
            `SELECT claimed_by FROM task_run_hosts WHERE org_id = $1 AND status = 'running'`,
            [client.orgId],
          );
          peak = Math.max(
            peak,
            rows.filter((r) => !(victimKilled && pidOf(r.claimed_by as string) === victim.pid)).length,
          );
          await sleep(50);
        }
      })().catch(() => undefined);
      let victimHosts: string[];
      let run: Json;
      try {
        // 2. Kill the victim while every host it holds is inside the long "hold" step it started moments ago, after
        //    the first action step (recorded done) and before the second: the worst place for a naive retry.
        victimHosts = await until(
          'the victim to be mid-hold on its hosts',
          async () => {
            const held = await rawQuery(
              cluster.db,
              `SELECT h.server_id, h.applying, h.claimed_by, (SELECT max(o.at) FROM task_output o WHERE o.run_id = h.run_id AND o.server_id = h.server_id AND o.data LIKE '▶ the server was held%') AS hold_at
            FROM task_run_hosts h WHERE h.run_id = $1 AND h.status = 'running'`,
              [runId],
            );
            const mine = held.filter((h) => pidOf(h.claimed_by as string) === victim.pid);
            const fresh = mine.every(
              (h) =>
                h.applying === 'hold' &&
                h.hold_at &&
                Date.now() - Date.parse(h.hold_at as string) < HOLD_SECONDS * 1000 - 1500,
            );
            const done = await rawQuery(
              cluster.db,
              `SELECT claimed_by FROM task_run_hosts WHERE run_id = $1 AND finished_at IS NOT NULL`,
              [runId],
            );
            const victimFinished = done.filter((h) => pidOf(h.claimed_by as string) === victim.pid).length;
            return mine.length > 0 && fresh && victimFinished > 0 ? mine.map((h) => h.server_id as string) : undefined;
          },
          { timeoutMs: 120_000, everyMs: 20 },
        );
        victimKilled = true;
        victim.kill('SIGKILL');
        await victim.exited;
        timings.killedAfterMs = Date.now() - started;

        // 3. The run finishes anyway: every host changed, none failed.
        run = await until(
          'the run to finish',
          async () => {
            const { body } = await client.get(`/api/orgs/${client.orgId}/task-runs/${runId}`);
            return body.finishedAt ? body : undefined;
          },
          { timeoutMs: 300_000, everyMs: 250 },
        );
        timings.fanOutMs = Date.now() - started;
      } finally {
        sampling = false;
        await sampler;
      }
      expect(run.status, JSON.stringify(run.hosts.filter((h: { status: string }) => h.status !== 'changed'))).toBe(
        'succeeded',
      );
      expect(run.progress).toMatchObject({ total: HOSTS, done: HOSTS, failed: 0, changed: HOSTS });

      // 4. The counters on the hosts: each action step applied exactly once on every host.
      const servers = (await client.get(`/api/orgs/${client.orgId}/servers`)).body.servers as {
        id: string;
        address: string;
      }[];
      for (const host of fleet.hosts) {
        const lines = (await host.readFile(TRIPWIRE_FILE))
          .toString()
          .trim()
          .split('\n')
          .filter((l) => l.startsWith(tag));
        expect(lines.sort(), host.name).toEqual([`${tag} after`, `${tag} before`]);
      }

      // 5. The victim's hosts were resumed by the survivor (attempt 2), which skipped the step already done.
      const hosts = await rawQuery(
        cluster.db,
        `SELECT server_id, claimed_by, steps FROM task_run_hosts WHERE run_id = $1`,
        [runId],
      );
      const byServer = new Map(hosts.map((h) => [h.server_id as string, h]));
      for (const serverId of victimHosts) {
        const h = byServer.get(serverId)!;
        expect(pidOf(h.claimed_by as string)).toBe(survivor.pid);
        expect(String(h.claimed_by)).toMatch(/#2$/);
        expect(JSON.parse(h.steps as string).map((s: { id: string; status: string }) => `${s.id}:${s.status}`)).toEqual(
          ['tripwire-before:changed', expect.stringMatching(/^hold:/), 'tripwire-after:changed'],
        );
        const out = (await client.get(`/api/orgs/${client.orgId}/task-runs/${runId}/output`)).body.entries as {
          serverId: string;
          data: string;
        }[];
        expect(
          out
            .filter((e) => e.serverId === serverId)
            .map((e) => e.data)
            .join(''),
        ).toMatch(/Resumed by another worker[\s\S]*already done before the worker changed/);
      }
      // Both workers ran hosts to the end; nothing else did.
      const finishers = new Set(hosts.map((h) => pidOf(h.claimed_by as string)));
      expect([...finishers].sort()).toEqual([survivor.pid, victim.pid].sort());
      expect(hosts.filter((h) => pidOf(h.claimed_by as string) === victim.pid).length).toBeGreaterThan(0);
      expect(servers).toHaveLength(HOSTS);

      // 6. Never more than the organisation's cap at once, across both workers.
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(PER_ORG);

      // 7. The jobs, as either API node shows them: one per host, done; the resumed ones in their second attempt.
      for (const api of cluster.apis) {
        const jobs = (await client.request('GET', `/api/orgs/${client.orgId}/jobs?limit=500`, undefined, api.url)).body
          .jobs as { queue: string; status: string; attempts: number }[];
        const hostJobs = jobs.filter((j) => j.queue === 'tasks.host');
        expect(hostJobs.every((j) => j.status === 'done')).toBe(true);
        expect(hostJobs.filter((j) => j.attempts === 2).length).toBeGreaterThanOrEqual(victimHosts.length);
      }

      // 8. Requests went to both API nodes, on one session: neither node keeps state of its own.
      expect([...client.served.values()].every((n) => n > 10)).toBe(true);
      expect(client.served.size).toBe(2);
      console.log(
        'cluster fan-out timings',
        JSON.stringify({
          ...timings,
          hosts: HOSTS,
          peak,
          resumed: victimHosts.length,
          served: Object.fromEntries(client.served),
        }),
      );
    } catch (err) {
      failWith(err);
    }
  }, 600_000);
});
