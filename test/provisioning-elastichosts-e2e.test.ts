// Engine: SQLite only: the ElasticStack sandbox and a real host; the provisioning stores run on both engines in provisioning-credentials (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secret } from '../src/kernel/secret.js';
import { getDriver } from '../src/providers/index.js';
import type { SandboxClouds } from '../src/sandbox/clouds.js';
import { launcherInstanceHosts } from '../src/sandbox/instance-hosts.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import type { TestSteward } from '../testkit/steward.js';
import {
  connect,
  ELASTIC_IMAGE,
  elasticAccount,
  factsOf,
  instanceOf,
  launchSettled,
  startClouds,
  startProvisioningSteward,
  type CredentialUse,
  type LaunchBody,
} from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

/** The same path on the ElasticStack sandbox, plus importing a server that was created outside Steward. */
describe('provisioning on the ElasticHosts sandbox with real hosts', () => {
  const fleet = useFleet();
  let clouds: SandboxClouds;
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
  const hostAt = (address: string) => fleet.launcher.hosts().find((h) => h.address === address);
  const instances = (path = '') => `/api/orgs/${a.orgId}/provider-accounts/${accountId}/instances${path}`;

  beforeAll(async () => {
    clouds = await startClouds(launcherInstanceHosts(fleet.launcher));
    s = await startProvisioningSteward();
    s.core.queue.start();
    a = await signUp(s.app);
  });
  afterAll(async () => {
    console.log('ElasticHosts end-to-end timings (ms):', timings);
    await s?.close();
    await clouds?.close();
  });

  it('connects, launches (drive imaged, server created), and Steward logs in', async () => {
    accountId = await timed('connect', () => connect(a, elasticAccount(clouds)));
    const account = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${accountId}`)).body;
    expect(account).toMatchObject({
      provider: 'elastichosts',
      auth: 'basic',
      hint: `…${clouds.elastic.user.slice(-4)}`,
      dialect: '2.0',
    });
    expect(JSON.stringify(account)).not.toContain(clouds.elastic.secretKey);

    const res = await a.client.post(instances(), {
      name: 'eh-web',
      sizeId: 'small',
      imageId: ELASTIC_IMAGE,
      token: 'eh-1',
    });
    expect(res.status, res.raw).toBe(202);
    launch = await timed('launch until ready', () => launchSettled(a, accountId, 'eh-1'));
    const server = (await a.client.get(`/api/orgs/${a.orgId}/servers/${launch.serverId}`)).body;
    expect(server).toMatchObject({ status: 'ready', login: 'org_key' });
    // Pinned from the server's console (read through the API) before the first login.
    expect(server.hostKey).toMatchObject({
      fingerprint: hostAt(launch.address)!.hostKeys[0]!.sha256,
      source: 'provider_console',
    });

    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses?limit=500`)).body.uses as CredentialUse[];
    const ops = new Set(uses.filter((u) => u.credential === 'provider_account').map((u) => u.operation));
    for (const op of [
      'elastichosts.GET /servers/list',
      'elastichosts.POST /drives/create',
      'elastichosts.POST /servers/create',
      'elastichosts.GET /servers/{uuid}/info',
      'elastichosts.GET /servers/{uuid}/console',
    ])
      expect(ops, op).toContain(op);
    const create = uses.find((u) => u.operation === 'elastichosts.POST /servers/create')!;
    expect(create.instruction).toMatchObject({ type: 'user_action', actorId: a.userId });
    expect(
      uses.some(
        (u) =>
          u.operation.startsWith('ssh.login') &&
          u.target.id === launch.serverId &&
          u.instruction.id === create.instruction.id,
      ),
    ).toBe(true);

    // Discovered right after enrolment.
    const facts = await factsOf(a, launch.serverId);
    expect(facts.identity.hostname).toBeTruthy();
    expect(facts.sshKeys.host.map((k: { fingerprint: string }) => k.fingerprint)).toContain(
      hostAt(launch.address)!.hostKeys[0]!.sha256,
    );
  });

  it('stops (ACPI shutdown) and starts again', async () => {
    const host = hostAt(launch.address)!;
    expect((await a.client.post(instances(`/${launch.instanceId}/stop`))).status).toBe(202);
    await timed('stop', () =>
      until('stopped', async () =>
        (await instanceOf(a, accountId, launch.instanceId))?.state === 'stopped' ? true : undefined,
      ),
    );
    expect(host.running).toBe(false);
    expect((await a.client.post(instances(`/${launch.instanceId}/start`))).status).toBe(202);
    await timed('start', () =>
      until('running', async () =>
        (await instanceOf(a, accountId, launch.instanceId))?.state === 'running' ? true : undefined,
      ),
    );
    expect(host.running).toBe(true);
  });

  it('imports a server created outside Steward, only with an explicit choice to trust its first host key', async () => {
    // 1. A server made with the provider's own API, carrying the organisation's key.
    const driver = await getDriver('elastichosts', {
      baseUrl: clouds.elastic.url,
      credentials: { user: clouds.elastic.user, secretKey: secret(clouds.elastic.secretKey) },
      imagingPollMs: 100,
    });
    const orgKey = (await s.core.orgKeys.publicKey(a.orgId)).publicKey;
    const made = await driver.createNode({
      name: 'made-by-hand',
      sizeId: 'small',
      imageId: ELASTIC_IMAGE,
      idempotencyToken: 'by-hand',
      sshPublicKey: orgKey,
    });
    const node = await until('hand-made server running', async () => {
      const n = await driver.getNode(made.id);
      return n.state === 'running' && n.publicIps[0] ? n : undefined;
    });

    // 2. The provider reports no host key, so the person must choose first-contact trust.
    const refused = await a.client.post(instances(`/${node.id}/import`), {});
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/trustFirstContact/);
    const imported = await a.client.post(instances(`/${node.id}/import`), { trustFirstContact: true });
    expect(imported.status, imported.raw).toBe(202);
    const server = await timed('import until ready', () =>
      until('imported server ready', async () => {
        const v = (await a.client.get(`/api/orgs/${a.orgId}/servers/${imported.body.id}`)).body;
        return v.status === 'enrolling' ? undefined : v;
      }),
    );
    expect(server).toMatchObject({
      status: 'ready',
      name: 'made-by-hand',
      hostKey: { source: 'first_contact', fingerprint: hostAt(node.publicIps[0]!)!.hostKeys[0]!.sha256 },
    });
    expect((await a.client.post(instances(`/${node.id}/import`), { trustFirstContact: true })).status).toBe(409);
  });

  it('refuses to remove the account while it has servers, unless forced', async () => {
    const res = await a.client.delete(`/api/orgs/${a.orgId}/provider-accounts/${accountId}`);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('STEWARD_PROVIDER_ACCOUNT_IN_USE');
    expect(res.body.error.message).toMatch(/eh-web/);
  });

  it('terminates with confirmation by name; the host is gone', async () => {
    const res = await a.client.post(instances(`/${launch.instanceId}/terminate`), { confirm: 'eh-web' });
    expect(res.status, res.raw).toBe(202);
    await timed('terminate', () =>
      until('host destroyed', async () => (hostAt(launch.address) === undefined ? true : undefined)),
    );
    expect((await a.client.get(`/api/orgs/${a.orgId}/servers/${launch.serverId}`)).status).toBe(404);
    expect(await instanceOf(a, accountId, launch.instanceId)).toBeUndefined();
  });
});
