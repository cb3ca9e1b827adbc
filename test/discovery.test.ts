// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../testkit/canary.js';
import { dumpDatabase } from '../testkit/db.js';
import { seenResponses, signUp, type SignedUp, type Json } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

const CANARY = `Cn4ry-disc-${Math.random().toString(36).slice(2, 10)}-pw`;

describe('self-discovery on isolated hosts that differ', () => {
  const fleet = useFleet({ count: 3, spec: (i) => ({ name: `disc-${i}` }) });
  let s: TestSteward;
  let a: SignedUp;
  const ids: string[] = [];

  async function waitForRun(runId: string): Promise<Json> {
    return until(
      `discovery run ${runId} to finish`,
      async () => {
        const run = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${runId}`)).body;
        return run.finishedAt ? run : undefined;
      },
      { timeoutMs: 120_000 },
    );
  }
  const snapshots = async (id: string) =>
    (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}/snapshots`)).body.snapshots as {
      id: string;
      changes: { category: string; action: string; id: string; attention: boolean }[];
    }[];

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.startWorker();
    a = await signUp(s.app);
    for (const [i, host] of fleet.hosts.entries()) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: `disc-${i}`,
        address: host.address,
        port: host.port,
        privateKey: fleet.clientKey.privateKey,
        hostKey: host.hostKeys[0]!.publicKey,
      });
      ids.push(res.body.id);
    }
    // Enrolment is followed by a first discovery of each server, under the same instruction.
    for (const id of ids) {
      await until("the server's first snapshot", async () => (await snapshots(id)).length > 0, { timeoutMs: 180_000 });
    }
  }, 300_000);
  afterAll(() => s?.close());

  it('discovers every server right after it is added', async () => {
    for (const [i, id] of ids.entries()) {
      const facts = (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}/facts`)).body;
      expect(facts.facts.identity.hostname).toBe(`disc-${i}`);
      expect(facts.facts.os.id).toBe('debian');
      expect(facts.facts.admins.uid0).toEqual(['root']);
      expect(facts.facts.ports.map((p: { port: number }) => p.port)).toContain(22);
      expect(facts.summary).toBe('First discovery.');
    }
  });

  it('finds exactly what changed on each host, and seals the password it found', async () => {
    const [h0, h1, h2] = fleet.hosts;
    await h0!.writeFile(
      '/var/www/html/.env',
      `APP_NAME=shop\nDB_HOST=127.0.0.1\nDB_USERNAME=shop\nDB_PASSWORD=${CANARY}\n`,
      0o640,
    );
    expect((await h1!.run(['useradd', '-o', '-u', '0', '-g', '0', '-M', '-s', '/bin/bash', 'toor'])).code).toBe(0);
    await h2!.spawnDaemon(['nc', '-lk', '-p', '9999']);
    await until('the listener on port 9999', async () => (await h2!.run(['ss', '-ltn'])).stdout.includes(':9999'), {
      timeoutMs: 30_000,
    });

    const res = await a.client.post(`/api/orgs/${a.orgId}/discovery`, { all: true });
    expect(res.status).toBe(202);
    const run = await waitForRun(res.body.runId);
    expect(run.status).toBe('succeeded');

    const latest = await Promise.all(ids.map(async (id) => (await snapshots(id))[0]!.changes));
    const has = (changes: (typeof latest)[number], category: string, match: RegExp) =>
      changes.some((c) => c.category === category && c.action === 'added' && match.test(c.id));
    // Host 1: the new uid-0 account, flagged for attention; nowhere else.
    expect(has(latest[1]!, 'uid0', /toor/)).toBe(true);
    expect(latest[1]!.find((c) => c.category === 'uid0')!.attention).toBe(true);
    expect(has(latest[0]!, 'uid0', /toor/) || has(latest[2]!, 'uid0', /toor/)).toBe(false);
    // Host 2: the new listening port; nowhere else.
    expect(has(latest[2]!, 'ports', /9999/)).toBe(true);
    expect(has(latest[0]!, 'ports', /9999/) || has(latest[1]!, 'ports', /9999/)).toBe(false);
    // Host 0: the credential, found and sealed where it was, value never shown.
    const found = (await a.client.get(`/api/orgs/${a.orgId}/servers/${ids[0]}/found-secrets`)).body.secrets;
    expect(found).toEqual([
      expect.objectContaining({ location: '/var/www/html/.env', key: 'DB_PASSWORD', kind: 'password', goneAt: null }),
    ]);
    for (const id of [ids[1], ids[2]])
      expect((await a.client.get(`/api/orgs/${a.orgId}/servers/${id}/found-secrets`)).body.secrets).toEqual([]);
    const row = await s.core.db
      .selectFrom('discovered_secrets')
      .selectAll()
      .where('server_id', '=', ids[0]!)
      .executeTakeFirstOrThrow();
    expect(
      (
        await s.core.vault.openText(
          { scope: a.orgId, table: 'discovered_secrets', column: 'value_sealed', row: row.id },
          row.value_sealed,
        )
      ).reveal(),
    ).toBe(CANARY);
  });

  it('never stores, logs or returns the found password in clear', async () => {
    const dump = dumpDatabase(s.db);
    expect(findLeaks(dump, { password: CANARY }, 'database')).toEqual([]);
    expect(findLeaks(s.logs.join('\n'), { password: CANARY }, 'logs')).toEqual([]);
    expect(findLeaks(seenResponses.join('\n'), { password: CANARY }, 'responses')).toEqual([]);
    const output = await s.core.db.selectFrom('task_output').select('data').execute();
    expect(findLeaks(output.map((o) => o.data).join('\n'), { password: CANARY }, 'task output')).toEqual([]);
  });

  it('each discovery is one login, recorded against its instruction', async () => {
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?targetId=${ids[0]}`)).body.uses;
    const discoveries = uses.filter((u: { operation: string }) => u.operation === 'ssh.login:discovery');
    expect(discoveries).toHaveLength(2);
    expect(discoveries.every((u: { instruction: { type: string } }) => u.instruction.type === 'user_action')).toBe(
      true,
    );
  });

  it('runs scheduled discovery as a standing instruction', async () => {
    const id = ids[2]!;
    const set = await a.client.put(`/api/orgs/${a.orgId}/servers/${id}/discovery-schedule`, { everyMinutes: 5 });
    expect(set.status).toBe(200);
    // Make it due now, as if five minutes had passed.
    await s.core.db
      .updateTable('discovery_schedules')
      .set({ next_run_at: new Date(Date.now() - 1000).toISOString() })
      .where('server_id', '=', id)
      .execute();
    const started = await s.core.discovery.runDueSchedules();
    expect(started).toBe(1);
    expect(await s.core.discovery.runDueSchedules()).toBe(0); // once per interval
    await until(
      'the scheduled discovery to log in',
      async () => {
        const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?targetId=${id}`)).body.uses;
        return uses.some((u: { instruction: { type: string } }) => u.instruction.type === 'schedule');
      },
      { timeoutMs: 120_000 },
    );
  });
});
