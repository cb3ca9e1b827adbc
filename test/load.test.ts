// Engine: both. PostgreSQL as the cluster runs it (one API node, two workers); SQLite as its one node.
/**
 * Load: several organisations at once start fan-outs, discoveries and API writes for a while, on real hosts.
 * Nothing may be refused for being busy (no 5xx), every run must finish with every host done, the per-organisation
 * cap must hold across the workers, and the audit chain must verify afterwards. The figures (audited events per
 * second, API write latency) are written to .artifacts/load-<engine>.json; they are reported, not asserted.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { runCli } from '../testkit/cli.js';
import type { Json } from '../testkit/client.js';
import { ClusterClient, percentile, startCluster, type Cluster } from '../testkit/cluster.js';
import { rawQuery } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { until } from '../testkit/wait.js';

const ORGS = 3;
const SERVERS_PER_ORG = 3;
/** Host jobs one organisation may run at once across the cluster (lower than the workers' slots, so it binds). */
const CAP = 2;
const ARTIFACTS = fileURLToPath(new URL('../.artifacts/', import.meta.url));

describe('load: several organisations at once', () => {
  const fleet = useFleet({ count: ORGS * SERVERS_PER_ORG, concurrency: 2, spec: (i) => ({ name: `load-${i}` }) });

  describe.each([
    ['postgres', 60],
    ['sqlite', 30],
  ] as const)('%s', (engine, seconds) => {
    let cluster: Cluster;
    const clients: ClusterClient[] = [];

    const failWith = (err: unknown): never => {
      const tails = (cluster?.nodes ?? [])
        .map((n) => `── ${n.role} ${n.pid}\n${n.output().split('\n').slice(-20).join('\n')}`)
        .join('\n');
      throw new Error(`${(err as Error).message}\n${tails}`);
    };

    beforeAll(async () => {
      cluster = await startCluster({
        engine,
        apis: 1,
        workers: engine === 'postgres' ? 2 : 0,
        env: {
          STEWARD_JOBS_PER_ORG: String(CAP),
          STEWARD_SCHEDULER_TICK_MS: '1000',
        },
      });
      try {
        for (let o = 0; o < ORGS; o++) {
          const client = new ClusterClient(cluster.apis.map((n) => n.url!));
          await client.signUp(cluster.mail);
          for (let i = 0; i < SERVERS_PER_ORG; i++) {
            const host = fleet.hosts[o * SERVERS_PER_ORG + i]!;
            const res = await client.post(`/api/orgs/${client.orgId}/servers`, {
              name: `l${o}-${i}`,
              address: host.address,
              port: host.port,
              privateKey: fleet.clientKey.privateKey,
              hostKey: host.hostKeys[0]!.publicKey,
            });
            expect(res.status, JSON.stringify(res.body)).toBe(202);
          }
          clients.push(client);
        }
        for (const client of clients) {
          await until(
            'every server ready and first discovered',
            async () => {
              const servers = (await client.get(`/api/orgs/${client.orgId}/servers`)).body.servers as Json[];
              const runs = (await client.get(`/api/orgs/${client.orgId}/task-runs?limit=100`)).body.runs as Json[];
              return (
                servers.length === SERVERS_PER_ORG &&
                servers.every((s) => s.status === 'ready') &&
                runs.length >= SERVERS_PER_ORG &&
                runs.every((r) => r.finishedAt !== null)
              );
            },
            { timeoutMs: 180_000, everyMs: 500 },
          );
        }
      } catch (err) {
        failWith(err);
      }
    }, 420_000);
    afterAll(async () => {
      await cluster?.close();
    });

    it(`refuses nothing for ${seconds} s of fan-outs, discoveries and writes; every run finishes; the chain verifies`, async () => {
      try {
        const started = Date.now();
        const deadline = started + seconds * 1000;
        const refused: string[] = [];
        const writeMs: number[] = [];
        const runs: { client: ClusterClient; id: string }[] = [];
        const check = (what: string, res: { status: number; body: Json }) => {
          if (res.status >= 500) refused.push(`${what}: ${res.status} ${res.body?.error?.code ?? ''}`);
          return res;
        };

        let peak = 0;
        let sampling = true;
        const sampler = (async () => {
          while (sampling) {
            const rows = await rawQuery(
              cluster.db,
              `SELECT org_id, COUNT(*) AS n FROM task_run_hosts WHERE status = 'running' GROUP BY org_id`,
            );
            for (const r of rows) peak = Math.max(peak, Number(r.n));
            await sleep(100);
          }
        })();

        const loops = clients.flatMap((client, o) => {
          const org = `/api/orgs/${client.orgId}`;
          const fanOuts = async () => {
            while (Date.now() < deadline) {
              const res = check('fan-out', await client.post(`${org}/commands`, { argv: ['uptime'], all: true }));
              if (res.status === 202) runs.push({ client, id: res.body.id as string });
              await sleep(2_000);
            }
          };
          const discoveries = async () => {
            while (Date.now() < deadline) {
              const res = check('discovery', await client.post(`${org}/discovery`, { all: true }));
              if (res.status === 202) runs.push({ client, id: res.body.runId as string });
              await sleep(6_000);
            }
          };
          const writes = async () => {
            for (let i = 0; Date.now() < deadline; i++) {
              const t0 = performance.now();
              const made = check(
                'credential',
                await client.post(`${org}/credentials`, { kind: 'password', name: `load-${o}-${i}`, value: `v-${i}` }),
              );
              writeMs.push(performance.now() - t0);
              const t1 = performance.now();
              check('rename', await client.request('PATCH', org, { name: `Load ${o} ${i}` }));
              writeMs.push(performance.now() - t1);
              if (made.status === 201) {
                const t2 = performance.now();
                check('delete', await client.request('DELETE', `${org}/credentials/${made.body.id as string}`));
                writeMs.push(performance.now() - t2);
              }
              await sleep(50);
            }
          };
          return [fanOuts(), discoveries(), writes()];
        });
        await Promise.all(loops);
        const loadEnded = Date.now();

        const finals = await until(
          'every run to finish',
          async () => {
            const all = await Promise.all(
              runs.map(async (r) => (await r.client.get(`/api/orgs/${r.client.orgId}/task-runs/${r.id}`)).body),
            );
            return all.every((run) => run.finishedAt !== null) ? all : undefined;
          },
          { timeoutMs: 300_000, everyMs: 1_000 },
        );
        sampling = false;
        await sampler;

        const events = await rawQuery(cluster.db, `SELECT COUNT(*) AS n FROM audit_log WHERE at >= $1 AND at <= $2`, [
          new Date(started).toISOString(),
          new Date(loadEnded).toISOString(),
        ]);
        const figures = {
          engine,
          seconds,
          runs: runs.length,
          writes: writeMs.length,
          auditedEventsPerSecond: Number(events[0]!.n) / ((loadEnded - started) / 1000),
          writeP50Ms: Math.round(percentile(writeMs, 50)),
          writeP99Ms: Math.round(percentile(writeMs, 99)),
          peakRunningHostsPerOrg: peak,
          drainMs: Date.now() - loadEnded,
        };
        mkdirSync(ARTIFACTS, { recursive: true });
        writeFileSync(`${ARTIFACTS}load-${engine}.json`, `${JSON.stringify(figures, null, 2)}\n`);
        console.log(`load (${engine}): ${JSON.stringify(figures)}`);

        expect(refused).toEqual([]);
        expect(runs.length).toBeGreaterThanOrEqual(ORGS * 3);
        const notDone = finals.filter((run) => run.status !== 'succeeded');
        expect(
          notDone.map((run) => ({ status: run.status, errors: run.hosts.map((h: Json) => h.error).filter(Boolean) })),
        ).toEqual([]);
        expect(peak).toBeGreaterThan(0);
        expect(peak).toBeLessThanOrEqual(CAP);
        const verified = await runCli(['audit', 'verify'], cluster.env);
        expect(verified.code, verified.stdout + verified.stderr).toBe(0);
        expect(verified.stdout).toMatch(/Audit log intact/);
      } catch (err) {
        failWith(err);
      }
    }, 600_000);
  });
});
