// Engine: SQLite only: provider faults and the drivers' retries; the launch rows run on both engines in provisioning-credentials (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import type { TestSteward } from '../testkit/steward.js';
import {
  connect,
  EC2_IMAGE,
  ec2Account,
  elasticAccount,
  startFakeClouds,
  startProvisioningSteward,
} from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

/**
 * Provider faults through the whole stack (API, services, drivers with the SDK's standard retries, sandbox
 * fault switches): storms within the retry budget end in success, longer ones in a clear error, and a launch
 * retried after its instance was created finds the same instance again.
 */
describe('provider throttling, 5xx storms and retried launches', () => {
  let clouds: Clouds;
  let s: TestSteward;
  let a: SignedUp;
  let ec2: string;
  let eh: string;
  let nodeId: string;

  beforeAll(async () => {
    // Instances stay pending for 3 s, long enough to inject a fault between RunInstances and the first "running".
    clouds = await startFakeClouds({ transitionMs: 3000 });
    s = await startProvisioningSteward();
    s.core.queue.start();
    a = await signUp(s.app);
    ec2 = await connect(a, ec2Account(clouds));
    eh = await connect(a, elasticAccount(clouds));
  });
  afterAll(async () => {
    await s?.close();
    await clouds?.close();
  });
  afterAll(() => clouds?.ec2.sandbox.faults.reset());

  const ledger = async (operation: string) =>
    (
      (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?limit=500`)).body.uses as {
        operation: string;
        at: string;
      }[]
    ).filter((u) => u.operation === operation);
  const launchOf = (account: string, token: string) =>
    a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${account}/launches/${token}`).then((r) => r.body);
  const launched = (account: string, token: string) =>
    until(
      `launch ${token} past the provider`,
      async () => {
        const l = await launchOf(account, token);
        if (l.stage === 'failed' && l.error?.code?.startsWith('STEWARD_'))
          throw Object.assign(new Error(JSON.stringify(l.error)), { final: true });
        return l.serverId ? l : undefined;
      },
      { timeoutMs: 60_000, everyMs: 100 },
    );

  it('a throttling storm shorter than the retry budget ends in success (EC2, ElasticHosts)', async () => {
    clouds.ec2.sandbox.faults.set({ throttle: { count: 2 } });
    clouds.elastic.sandbox.faults.set({ throttle: { count: 2 } });
    const t0 = Date.now();
    const res = await a.client.get(`/api/orgs/${a.orgId}/instances`);
    expect(res.status).toBe(200);
    expect(res.body.accounts.every((x: { ok: boolean }) => x.ok)).toBe(true);
    expect(clouds.ec2.sandbox.faults.injected.throttle).toBe(2);
    expect(clouds.elastic.sandbox.faults.injected.throttle).toBe(2);
    console.log(`listing through 2 throttles per provider: ${Date.now() - t0} ms`);
  });

  it('a 5xx storm shorter than the retry budget ends in success', async () => {
    clouds.ec2.sandbox.faults.set({ serverErrors: { count: 3, status: 503 } });
    const before = (await ledger('ec2.DescribeInstances')).length;
    const res = await a.client.get(`/api/orgs/${a.orgId}/instances`);
    expect(res.body.accounts.find((x: { accountId: string }) => x.accountId === ec2).ok).toBe(true);
    // Four attempts, each written to the ledger before it left: three failed, the fourth answered.
    expect((await ledger('ec2.DescribeInstances')).length - before).toBe(4);
  });

  it('a storm longer than the retry budget gives a clear error after exactly the allowed attempts, with backoff', async () => {
    const r = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/instances`, {
      name: 'storm-target',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'storm-target',
    });
    expect(r.status).toBe(202);
    nodeId = (await launched(ec2, 'storm-target')).instanceId;

    clouds.ec2.sandbox.faults.set({ throttle: { count: 1000 } });
    const before = (await ledger('ec2.StopInstances')).length;
    const t0 = Date.now();
    const res = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/instances/${nodeId}/stop`);
    const took = Date.now() - t0;
    clouds.ec2.sandbox.faults.reset();
    expect(res.status).toBe(429);
    expect(res.body.error.code).toBe('STEWARD_PROVIDER_RATE_LIMITED');
    expect(res.body.error.message.length).toBeGreaterThan(20);
    const attempts = (await ledger('ec2.StopInstances'))
      .slice(0, (await ledger('ec2.StopInstances')).length - before)
      .reverse();
    expect(attempts).toHaveLength(4);
    const gaps = attempts.slice(1).map((u, i) => Date.parse(u.at) - Date.parse(attempts[i]!.at));
    console.log(`throttled stop: 4 attempts in ${took} ms, gaps between attempts ${gaps.join(', ')} ms`);
    expect(took).toBeLessThan(30_000);

    clouds.elastic.sandbox.faults.set({ serverErrors: { count: 1000, status: 500 } });
    const eh5xx = await a.client.get(`/api/orgs/${a.orgId}/instances`);
    clouds.elastic.sandbox.faults.reset();
    expect(eh5xx.status).toBe(200);
    const failed = eh5xx.body.accounts.find((x: { accountId: string }) => x.accountId === eh);
    expect(failed).toMatchObject({ ok: false, error: { code: 'STEWARD_PROVIDER_UNAVAILABLE' } });
    expect(eh5xx.body.accounts.find((x: { accountId: string }) => x.accountId === ec2).ok).toBe(true);
  });

  it('a launch whose storm outlasts the driver’s retries is retried by its job and succeeds', async () => {
    clouds.ec2.sandbox.faults.set({ throttle: { count: 6 } });
    const r = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/instances`, {
      name: 'after-storm',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'after-storm',
    });
    expect(r.status).toBe(202);
    const l = await launched(ec2, 'after-storm');
    expect(l.instanceId).toMatch(/^i-/);
    const job = (await a.client.get(`/api/orgs/${a.orgId}/jobs?limit=50`)).body.jobs.find(
      (j: { id: string }) => j.id === l.jobId,
    );
    expect(job.attempts).toBeGreaterThanOrEqual(2);
  });

  it('a launch retried after RunInstances succeeded gets the same instance back (ClientToken)', async () => {
    const r = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/instances`, {
      name: 'same-token',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'same-token',
    });
    expect(r.status).toBe(202);
    // 1. As soon as RunInstances has gone out, throttle every request long enough to fail this job attempt.
    await until(
      'RunInstances',
      async () =>
        clouds.ec2.sandbox.requests.some(
          (q) =>
            q.action === 'RunInstances' &&
            q.params.ClientToken !== undefined &&
            q.status === 200 &&
            q.params['TagSpecification.1.Tag.1.Value'] === 'same-token',
        )
          ? true
          : undefined,
      { timeoutMs: 30_000, everyMs: 2 },
    );
    clouds.ec2.sandbox.faults.set({ throttle: { count: 4 } });
    // 2. The job's next attempt launches again with the same token and finds the first instance.
    const l = await launched(ec2, 'same-token');
    const runs = clouds.ec2.sandbox.requests.filter(
      (q) =>
        q.action === 'RunInstances' && q.status === 200 && q.params['TagSpecification.1.Tag.1.Value'] === 'same-token',
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(runs.map((q) => q.params.ClientToken)).size).toBe(1);
    const named = (await a.client.get(`/api/orgs/${a.orgId}/instances`)).body.instances.filter(
      (i: { name: string }) => i.name === 'same-token',
    );
    expect(named).toHaveLength(1);
    expect(named[0].id).toBe(l.instanceId);
  });

  it('a launch that cannot succeed fails at once with the reason, without retries', async () => {
    const r = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2}/instances`, {
      name: 'bad-image',
      sizeId: 't3.micro',
      imageId: 'ami-00000000000000000',
      token: 'bad-image',
    });
    expect(r.status).toBe(202);
    const l = await until(
      'failed',
      async () => {
        const v = await launchOf(ec2, 'bad-image');
        return v.stage === 'failed' ? v : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(l.error.code).toMatch(/^STEWARD_PROVIDER_/);
    expect(l.error.message).toMatch(/ami-00000000000000000|image/i);
    const job = (await a.client.get(`/api/orgs/${a.orgId}/jobs?limit=50`)).body.jobs.find(
      (j: { id: string }) => j.id === l.jobId,
    );
    expect(job).toMatchObject({ attempts: 1, status: 'done' });
  });
});
