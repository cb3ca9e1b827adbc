// Engine: SQLite only: the status sync in one process; its job chain runs on PostgreSQL across nodes in cluster-schedules (docs/testing.md).
import { EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProvisioning, type InstanceChange } from '../src/core/provisioning/index.js';
import { sleep } from '../src/kernel/clock.js';
import { signUp, type SignedUp, type Json } from '../testkit/client.js';
import type { TestSteward } from '../testkit/steward.js';
import {
  connect,
  EC2_IMAGE,
  ec2Account,
  startFakeClouds,
  startProvisioningSteward,
} from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

/** The recurring status sync: one chain of jobs, never two runs at once, changes audited, calls ledgered. */
describe('instance status sync', () => {
  let clouds: Clouds;
  let s: TestSteward;
  let a: SignedUp;
  let accountId: string;
  let sdk: EC2Client;
  let instanceId: string;
  const syncJobs = () => s.core.db.selectFrom('jobs').selectAll().where('queue', '=', 'provisioning.sync').execute();

  beforeAll(async () => {
    clouds = await startFakeClouds({ transitionMs: 300 });
    s = await startProvisioningSteward({ STEWARD_INSTANCE_SYNC_SECONDS: '1' });
    s.core.queue.start();
    a = await signUp(s.app);
    sdk = new EC2Client({ region: 'us-east-1', endpoint: clouds.ec2.url, credentials: clouds.ec2 });
  });
  afterAll(async () => {
    await s?.close();
    await clouds?.close();
  });

  it('connecting an account schedules the sync; it picks up instances made outside Steward', async () => {
    accountId = await connect(a, ec2Account(clouds));
    const jobs = await syncJobs();
    expect(jobs.filter((j) => j.status === 'queued')).toHaveLength(1);
    const run = await sdk.send(new RunInstancesCommand({ ImageId: EC2_IMAGE, MinCount: 1, MaxCount: 1 }));
    instanceId = run.Instances![0]!.InstanceId!;
    await until(
      'the sync to see the instance running',
      async () => {
        const row = await s.core.db
          .selectFrom('provider_instances')
          .selectAll()
          .where('node_id', '=', instanceId)
          .executeTakeFirst();
        return row?.state === 'running' ? row : undefined;
      },
      { timeoutMs: 20_000 },
    );
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?limit=500`)).body.uses as Json[];
    const scheduled = uses.filter((u) => u.instruction.type === 'schedule');
    expect(scheduled.length).toBeGreaterThan(0);
    expect(scheduled[0]).toMatchObject({
      operation: 'ec2.DescribeInstances',
      instruction: { type: 'schedule', id: accountId, actorId: a.userId },
    });
  });

  it('audits a change made at the provider', async () => {
    await sdk.send(new StopInstancesCommand({ InstanceIds: [instanceId] }));
    const entry = await until(
      'state change in the audit log',
      async () => {
        const entries = (await a.client.get(`/api/orgs/${a.orgId}/audit?limit=200`)).body.entries as Json[];
        return entries.find((e) => e.action === 'instance.state_changed' && e.details.to === 'stopped');
      },
      { timeoutMs: 20_000 },
    );
    expect(entry).toMatchObject({
      actor: { type: 'system' },
      target: { type: 'instance', id: `${accountId}/${instanceId}` },
    });
    const account = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${accountId}`)).body;
    expect(account.lastSyncAt).not.toBeNull();
    expect(account.lastSyncError).toBeNull();
  });

  it('keeps one chain: never more than one queued run, and a stray duplicate ends itself', async () => {
    await s.core.db
      .transaction()
      .execute((trx) => s.core.queue.enqueue(trx, { queue: 'provisioning.sync', payload: {} }));
    for (let i = 0; i < 15; i++) {
      expect(
        (await syncJobs()).filter((j) => j.status === 'queued' && Date.parse(j.run_at) > Date.now()).length,
      ).toBeLessThanOrEqual(1);
      await sleep(200);
    }
    const jobs = await syncJobs();
    expect(jobs.filter((j) => j.status === 'done').length).toBeGreaterThanOrEqual(3);
    expect(jobs.filter((j) => j.status === 'failed')).toEqual([]);
  });

  it('never runs twice at once in one process', async () => {
    clouds.ec2.sandbox.faults.set({ slow: { delayMs: 500 } });
    const before = clouds.ec2.sandbox.requests.filter((r) => r.action === 'DescribeInstances').length;
    const first = s.core.provisioning.sync.syncNow();
    const second = s.core.provisioning.sync.syncNow();
    expect(second).toBe(first);
    await first;
    clouds.ec2.sandbox.faults.reset();
    // One listing from this run (a scheduled run may have joined it rather than started its own).
    expect(
      clouds.ec2.sandbox.requests.filter((r) => r.action === 'DescribeInstances').length - before,
    ).toBeLessThanOrEqual(2);
  });

  it('the chain stops when the last account goes, and starts again with the next', async () => {
    expect((await a.client.delete(`/api/orgs/${a.orgId}/provider-accounts/${accountId}`)).status).toBe(200);
    await until(
      'no sync queued',
      async () => ((await syncJobs()).some((j) => j.status === 'queued' || j.status === 'running') ? undefined : true),
      { timeoutMs: 10_000 },
    );
    await connect(a, ec2Account(clouds));
    expect((await syncJobs()).filter((j) => j.status === 'queued')).toHaveLength(1);
  });

  it('tells the servers module when an instance with a server changes state at the provider', async () => {
    const account = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts`)).body.accounts[0].id as string;
    const launch = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${account}/instances`, {
      name: 'with-server',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'with-server',
    });
    expect(launch.status).toBe(202);
    const l = await until(
      'adopted',
      async () => {
        const v = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${account}/launches/with-server`)).body;
        return v.serverId ? v : undefined;
      },
      { timeoutMs: 30_000 },
    );
    // A second wiring of the module over the same core, with the hook the composition root can pass.
    const seen: InstanceChange[] = [];
    const c = s.core;
    const hooked = registerProvisioning({
      db: c.db,
      clock: c.clock,
      logger: c.logger,
      config: c.config.provisioning,
      vault: c.vault,
      audit: c.audit,
      orgs: c.orgs,
      ledger: c.ledger,
      queue: c.queue,
      servers: c.servers,
      orgKeys: c.orgKeys,
      onInstanceChange: async (change) => void seen.push(change),
    });
    await hooked.sync.syncNow();
    await sdk.send(new StopInstancesCommand({ InstanceIds: [l.instanceId] }));
    await hooked.sync.syncNow();
    expect(seen).toContainEqual({
      orgId: a.orgId,
      serverId: l.serverId,
      accountId: account,
      nodeId: l.instanceId,
      state: expect.stringMatching(/stopping|stopped/),
      publicIp: null,
      privateIp: expect.any(String),
    });
  });
});
