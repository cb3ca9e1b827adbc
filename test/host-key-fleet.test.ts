// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
/**
 * Fifty real hosts, one of which changes its host key: a command fanned out to all of them runs on the 49 and
 * never on the one, which is blocked (alert, audit) before any authentication.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../src/kernel/ids.js';
import { Secret } from '../src/kernel/secret.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

const N = 50;

describe(`host-key change on one of ${N} hosts`, () => {
  const fleet = useFleet({ count: N, spec: (i) => ({ name: `hk-${i}` }) });
  let s: TestSteward;
  let a: SignedUp;
  const ids: string[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_SSH_MAX_CONCURRENCY: '25' } });
    s.core.startWorker();
    a = await signUp(s.app);
    // Servers already enrolled: the fleet's client key serves as the organisation's key, host keys pinned.
    const sealed = await s.core.vault.seal(
      { scope: a.orgId, table: 'org_ssh_keys', column: 'private_sealed', row: a.orgId },
      new Secret(fleet.clientKey.privateKey),
    );
    await s.core.db
      .insertInto('org_ssh_keys')
      .values({
        org_id: a.orgId,
        public_key: fleet.clientKey.publicKey,
        fingerprint: 'test',
        private_sealed: sealed,
        created_at: new Date().toISOString(),
      })
      .execute();
    for (const host of fleet.hosts) {
      const id = newId('srv');
      ids.push(id);
      const now = new Date().toISOString();
      await s.core.db
        .insertInto('servers')
        .values({
          id,
          org_id: a.orgId,
          name: host.name,
          address: host.address,
          port: host.port,
          username: 'root',
          status: 'ready',
          status_reason: null,
          host_key: host.hostKeys[0]!.publicKey,
          host_key_fingerprint: host.hostKeys[0]!.sha256,
          host_key_source: 'provided',
          host_key_pinned_at: now,
          presented_fingerprint: null,
          login: 'org_key',
          bootstrap_kind: null,
          bootstrap_sealed: null,
          provider_account_id: null,
          provider_node_id: null,
          created_by: a.userId,
          created_at: now,
          updated_at: now,
          last_contact_at: null,
        })
        .execute();
    }
  }, 300_000);
  afterAll(() => s?.close());

  it('runs on the 49 and blocks only the changed one, before it authenticates', async () => {
    const changed = fleet.hosts[17]!;
    await changed.regenerateHostKeys();
    const marker = '/tmp/ran-here';
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, { argv: ['touch', marker], serverIds: ids });
    expect(res.status).toBe(202);
    const run = await until(
      'the run to finish',
      async () => {
        const body = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${res.body.id}`)).body;
        return body.finishedAt ? body : undefined;
      },
      { timeoutMs: 120_000 },
    );
    const errors = new Map<string, number>();
    for (const h of run.hosts as { status: string; error?: string }[])
      if (h.status !== 'succeeded')
        errors.set(`${h.status}: ${h.error}`, (errors.get(`${h.status}: ${h.error}`) ?? 0) + 1);
    expect(run.status, JSON.stringify([...errors])).toBe('partial');
    expect(run.progress).toMatchObject({ total: N, done: N - 1, failed: 1 });
    const failed = run.hosts.filter((h: { status: string }) => h.status === 'failed');
    expect(failed.map((h: { serverId: string }) => h.serverId)).toEqual([ids[17]]);
    expect(failed[0].error).toMatch(/host key/i);

    for (const [i, host] of fleet.hosts.entries())
      expect((await host.run(['test', '-e', marker])).code, host.name).toBe(i === 17 ? 1 : 0);
    const servers = (await a.client.get(`/api/orgs/${a.orgId}/servers`)).body.servers as {
      id: string;
      status: string;
    }[];
    expect(servers.filter((x) => x.status === 'blocked').map((x) => x.id)).toEqual([ids[17]]);
    const alerts = (await a.client.get(`/api/orgs/${a.orgId}/alerts?open=true`)).body.alerts;
    expect(alerts.map((x: { serverId: string; kind: string }) => `${x.kind} ${x.serverId}`)).toEqual([
      `host_key_changed ${ids[17]}`,
    ]);
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?action=server.host_key_changed`)).body.entries;
    expect(audit.map((e: { target: { id: string } }) => e.target.id)).toEqual([ids[17]]);
    // The blocked server's ledger entry says it was blocked; nothing was logged in there.
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?targetId=${ids[17]}`)).body.uses;
    expect(uses.map((u: { outcome: string }) => u.outcome)).toEqual(['blocked']);
  });
});
