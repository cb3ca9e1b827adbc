// Engine: SQLite only: the EC2 sandbox, the AWS SDK and a real host; the provisioning stores run on both engines in provisioning-credentials (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxClouds } from '../src/sandbox/clouds.js';
import { launcherInstanceHosts } from '../src/sandbox/instance-hosts.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { sshExec, useFleet } from '../testkit/fleet.js';
import type { TestSteward } from '../testkit/steward.js';
import {
  connect,
  EC2_IMAGE,
  ec2Account,
  instanceOf,
  launchSettled,
  startClouds,
  startProvisioningSteward,
  factsOf,
  substitutingHostKeys,
  type AuditEntry,
  type CredentialUse,
  type LaunchBody,
} from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

/**
 * The whole path on EC2, through the HTTP API, the real AWS SDK, the EC2 sandbox and a real isolated SSH host:
 * connect an account, launch, Steward logs in and pins the host key, stop, start, terminate.
 */
describe('provisioning on the EC2 sandbox with real hosts', () => {
  const fleet = useFleet();
  let clouds: SandboxClouds;
  let hosts: ReturnType<typeof substitutingHostKeys>;
  let s: TestSteward;
  let a: SignedUp;
  let accountId: string;
  let launch: LaunchBody;
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = Date.now() - t0;
    }
  };

  beforeAll(async () => {
    hosts = substitutingHostKeys(launcherInstanceHosts(fleet.launcher), fleet.launcher);
    clouds = await startClouds(hosts);
    s = await startProvisioningSteward();
    s.core.queue.start();
    a = await signUp(s.app);
  });
  afterAll(async () => {
    console.log('EC2 end-to-end timings (ms):', timings);
    await s?.close();
    await clouds?.close();
  });

  const hostAt = (address: string) => fleet.launcher.hosts().find((h) => h.address === address);

  it('connects the account: verified with the provider, shown only by a hint', async () => {
    accountId = await timed('connect', () => connect(a, ec2Account(clouds)));
    const view = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${accountId}`)).body;
    expect(view).toMatchObject({
      provider: 'ec2',
      region: clouds.ec2.region,
      auth: 'access_key',
      hint: `…${clouds.ec2.accessKeyId.slice(-4)}`,
      externalAccount: clouds.ec2.accountId,
    });
    expect(JSON.stringify(view)).not.toContain(clouds.ec2.secretAccessKey);
    expect(JSON.stringify(view)).not.toContain(clouds.ec2.accessKeyId);
  });

  it('launches an instance; Steward pins the host key from its console, then logs in with the organisation key', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances`, {
      name: 'web-1',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'first-launch',
    });
    expect(res.status, res.raw).toBe(202);
    expect(res.body).toMatchObject({ stage: 'queued', token: 'first-launch' });
    launch = await timed('launch until ready', () => launchSettled(a, accountId, 'first-launch'));
    expect(launch).toMatchObject({ stage: 'ready', instanceId: expect.stringMatching(/^i-/), error: null });

    // 1. The server is ready, logged into with the organisation key, its host key pinned to the real host's.
    const server = (await a.client.get(`/api/orgs/${a.orgId}/servers/${launch.serverId}`)).body;
    const host = hostAt(launch.address)!;
    expect(host).toBeDefined();
    expect(server).toMatchObject({
      status: 'ready',
      login: 'org_key',
      provider: { accountId, nodeId: launch.instanceId },
    });
    expect(server.hostKey).toMatchObject({ fingerprint: host.hostKeys[0]!.sha256, source: 'provider_console' });
    const orgKey = (await s.core.orgKeys.publicKey(a.orgId)).publicKey;
    expect((await host.readFile('/root/.ssh/authorized_keys')).toString()).toContain(orgKey.split(' ')[1]);

    // 2. The ledger holds the provider calls and the SSH logins, each with the person's launch request as instruction.
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?limit=500`)).body.uses as CredentialUse[];
    const provider = uses.filter((u) => u.credential === 'provider_account');
    const ops = new Set(provider.map((u) => u.operation));
    for (const op of [
      'sts.GetCallerIdentity',
      'ec2.DescribeRegions',
      'ec2.ImportKeyPair',
      'ec2.RunInstances',
      'ec2.DescribeInstances',
      'ec2.GetConsoleOutput',
    ])
      expect(ops, op).toContain(op);
    // The console was read before the first login (the ledger lists newest first).
    const firstLogin = uses.findLastIndex(
      (u) => u.operation.startsWith('ssh.login') && u.target.id === launch.serverId,
    );
    const lastConsole = uses.findIndex((u) => u.operation === 'ec2.GetConsoleOutput');
    expect(lastConsole).toBeGreaterThan(firstLogin);
    const run = provider.find((u) => u.operation === 'ec2.RunInstances')!;
    expect(run.instruction).toMatchObject({ type: 'user_action', actorId: a.userId });
    expect(run.target).toEqual({ type: 'provider_account', id: accountId });
    const logins = uses.filter((u) => u.operation.startsWith('ssh.login') && u.target.id === launch.serverId);
    expect(logins.length).toBeGreaterThan(0);
    for (const login of logins) expect(login.instruction).toEqual(run.instruction);

    // 3. Steward discovered it right after enrolment, under the same instruction.
    const facts = await factsOf(a, launch.serverId);
    expect(facts.os.id).toBe('debian');
    expect(facts.sshKeys.host.map((k: { fingerprint: string }) => k.fingerprint)).toContain(host.hostKeys[0]!.sha256);

    // 4. It is listed with its server.
    const listed = await instanceOf(a, accountId, launch.instanceId);
    expect(listed).toMatchObject({
      name: 'web-1',
      state: 'running',
      publicIp: launch.address,
      server: { id: launch.serverId, status: 'ready' },
      live: true,
    });
  });

  it('a second launch with the same token returns the same launch and instance', async () => {
    const again = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances`, {
      name: 'web-1',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'first-launch',
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ instanceId: launch.instanceId, serverId: launch.serverId, jobId: launch.jobId });
    const different = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances`, {
      name: 'web-2',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'first-launch',
    });
    expect(different.status).toBe(409);
    const list = (await a.client.get(`/api/orgs/${a.orgId}/instances`)).body.instances;
    expect(list.filter((i: { name: string }) => i.name === 'web-1')).toHaveLength(1);
  });

  it('stops and starts the instance; the host goes down and comes back with the same key', async () => {
    const host = hostAt(launch.address)!;
    const stop = await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances/${launch.instanceId}/stop`,
    );
    expect(stop.status, stop.raw).toBe(202);
    expect(stop.body).toMatchObject({ previous: 'running', current: 'stopping' });
    await timed('stop', () =>
      until('stopped', async () =>
        (await instanceOf(a, accountId, launch.instanceId))?.state === 'stopped' ? true : undefined,
      ),
    );
    expect(host.running).toBe(false);

    const start = await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances/${launch.instanceId}/start`,
    );
    expect(start.status, start.raw).toBe(202);
    await timed('start', () =>
      until('running', async () =>
        (await instanceOf(a, accountId, launch.instanceId))?.state === 'running' ? true : undefined,
      ),
    );
    expect(host.running).toBe(true);
    const login = await until('ssh after start', () =>
      sshExec(host, { username: 'root', privateKey: fleet.clientKey.privateKey }, 'hostname'),
    );
    expect(login.code).toBe(0);

    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?limit=200`)).body.entries.map(
      (e: { action: string }) => e.action,
    );
    expect(audit).toEqual(
      expect.arrayContaining([
        'provider_account.connected',
        'instance.launch_requested',
        'instance.launched',
        'instance.adopted',
        'instance.stop_requested',
        'instance.start_requested',
      ]),
    );
  });

  it('refuses the first login when the server presents a key other than the one on its console', async () => {
    hosts.substituteNext();
    const res = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances`, {
      name: 'mitm-1',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'substituted-key',
    });
    expect(res.status, res.raw).toBe(202);
    const failed = await timed('substituted key refused', () =>
      until('launch refused', async () => {
        const view = (
          await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${accountId}/launches/substituted-key`)
        ).body;
        return view.stage === 'failed' ? view : undefined;
      }),
    );
    const server = (await a.client.get(`/api/orgs/${a.orgId}/servers/${failed.serverId}`)).body;
    const host = hostAt(failed.address)!;
    // Pinned to the console's key before the login; the host answered with another and was blocked.
    expect(server).toMatchObject({
      status: 'blocked',
      statusReason: 'host_key_changed',
      hostKey: { source: 'provider_console' },
      presentedFingerprint: host.hostKeys[0]!.sha256,
    });
    expect(server.hostKey.fingerprint).not.toBe(host.hostKeys[0]!.sha256);
    expect(failed.error.message).toContain('blocked');
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?limit=500`)).body.uses as CredentialUse[];
    const logins = uses.filter((u) => u.operation.startsWith('ssh.login') && u.target.id === failed.serverId);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.every((u) => u.outcome === 'blocked')).toBe(true);
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?limit=200`)).body.entries as AuditEntry[];
    expect(audit.find((e) => e.action === 'server.host_key_changed' && e.target?.id === failed.serverId)).toBeDefined();
    const alerts = (await a.client.get(`/api/orgs/${a.orgId}/alerts`)).body;
    expect(JSON.stringify(alerts)).toContain('host key changed');

    const terminate = await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances/${failed.instanceId}/terminate`,
      { confirm: 'mitm-1' },
    );
    expect(terminate.status, terminate.raw).toBe(202);
  });

  it('terminates only with confirmation; the host is gone and the server forgotten', async () => {
    const host = hostAt(launch.address)!;
    const refused = await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances/${launch.instanceId}/terminate`,
      { confirm: 'web-2' },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('STEWARD_CONFIRMATION_REQUIRED');
    expect(host.running).toBe(true);

    const res = await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances/${launch.instanceId}/terminate`,
      { confirm: 'web-1' },
    );
    expect(res.status, res.raw).toBe(202);
    await timed('terminate', () =>
      until('host destroyed', async () => (hostAt(launch.address) === undefined ? true : undefined)),
    );
    expect((await a.client.get(`/api/orgs/${a.orgId}/servers/${launch.serverId}`)).status).toBe(404);
    await until('terminated', async () =>
      (await instanceOf(a, accountId, launch.instanceId))?.state === 'terminated' ? true : undefined,
    );
    expect(
      (await a.client.get(`/api/orgs/${a.orgId}/audit?limit=200`)).body.entries.map(
        (e: { action: string }) => e.action,
      ),
    ).toContain('instance.terminate_requested');
  });
});
