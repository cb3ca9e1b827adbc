import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks, makeCanaries, type CanarySet } from '../testkit/canary.js';
import { seenResponses, signUp, type SignedUp } from '../testkit/client.js';
import { dumpDatabase, ENGINES } from '../testkit/db.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { EC2_IMAGE, startFakeClouds } from '../testkit/provisioning-e2e.js';
import { until } from '../testkit/wait.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

/**
 * Provider credentials are canaries here: the sandbox accepts exactly these keys. Whatever Steward does with
 * them (connect, list, launch, stop, fail), they never appear in the database outside sealed columns, in the
 * logs at trace level, in API answers, job payloads or the audit log. Wrong ones are refused and never stored.
 */
describe.each(ENGINES)('provider credentials stay sealed (%s)', (engine) => {
  let good: CanarySet;
  let wrong: CanarySet;
  let clouds: Clouds;
  let s: TestSteward;
  let a: SignedUp;

  beforeAll(async () => {
    good = makeCanaries();
    wrong = makeCanaries();
    clouds = await startFakeClouds({
      credentials: {
        aws: { accessKeyId: good.awsAccessKeyId, secretAccessKey: good.awsSecretAccessKey },
        elastic: { secretKey: good.elasticKey },
      },
    });
    s = await startTestSteward({
      engine,
      env: {
        STEWARD_SANDBOX_ENDPOINTS: 'true',
        STEWARD_PROVIDER_POLL_MS: '100',
        STEWARD_INSTANCE_SYNC_SECONDS: '1',
        STEWARD_LOG_LEVEL: 'trace',
      },
    });
    s.core.queue.start();
    a = await signUp(s.app);
    seenResponses.length = 0;
  });
  afterAll(async () => {
    await s?.close();
    await clouds?.close();
  });

  const ec2Body = (secret: string, extra: object = {}) => ({
    provider: 'ec2',
    name: 'canary ec2',
    region: 'us-east-1',
    endpoint: clouds.ec2.url,
    accessKeyId: good.awsAccessKeyId,
    secretAccessKey: secret,
    ...extra,
  });
  const ehBody = (secret: string) => ({
    provider: 'elastichosts',
    name: 'canary eh',
    baseUrl: clouds.elastic.url,
    user: clouds.elastic.user,
    secretKey: secret,
  });
  const accounts = () => s.core.db.selectFrom('provider_accounts').selectAll().execute();

  it('wrong credentials get a clear 400 and nothing is stored', async () => {
    for (const body of [
      ec2Body(wrong.awsSecretAccessKey),
      ehBody(wrong.elasticKey),
      ec2Body(wrong.awsSecretAccessKey, { accessKeyId: wrong.awsAccessKeyId }),
    ]) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, body);
      expect(res.status, res.raw).toBe(400);
      expect(res.body.error.code).toBe('STEWARD_PROVIDER_INVALID_CREDENTIALS');
      expect(res.body.error.message).toMatch(/credential|key|refused|rejected/i);
    }
    expect(await accounts()).toEqual([]);
    const refused = (await a.client.get(`/api/orgs/${a.orgId}/audit`)).body.entries.filter(
      (e: { action: string }) => e.action === 'provider_account.connect_refused',
    );
    expect(refused).toHaveLength(3);
    expect(refused[0]).toMatchObject({ result: 'failed' });
  });

  it('the right ones are used for every kind of call, and fail in ways that might echo them', async () => {
    const ec2 = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, ec2Body(good.awsSecretAccessKey));
    const eh = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, ehBody(good.elasticKey));
    expect([ec2.status, eh.status]).toEqual([201, 201]);
    expect(ec2.body.hint).toBe(`…${good.awsAccessKeyId.slice(-4)}`);
    await a.client.get(`/api/orgs/${a.orgId}/provider-accounts`);
    await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/catalog`);
    const launch = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/instances`, {
      name: 'canary-1',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'canary-1',
    });
    expect(launch.status).toBe(202);
    const l = await until(
      'launched',
      async () => {
        const v = (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/launches/canary-1`)).body;
        return v.instanceId && v.serverId ? v : undefined;
      },
      { timeoutMs: 60_000 },
    );
    await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/instances/${l.instanceId}/stop`);
    await s.core.provisioning.sync.syncNow();
    // Failures: revoked keys, throttling, 5xx, bad endpoints and fields that carry the secret back.
    clouds.ec2.sandbox.faults.set({ badCredentials: true });
    clouds.elastic.sandbox.faults.set({ serverErrors: { count: 100 } });
    await a.client.get(`/api/orgs/${a.orgId}/instances`);
    await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/instances/${l.instanceId}/start`);
    clouds.ec2.sandbox.faults.set({ badCredentials: false, throttle: { count: 100 } });
    await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${ec2.body.id}/instances/${l.instanceId}/reboot`);
    await s.core.provisioning.sync.syncNow();
    clouds.ec2.sandbox.faults.reset();
    clouds.elastic.sandbox.faults.reset();
    await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts`,
      ec2Body(good.awsSecretAccessKey, { endpoint: 'http://example.com/' }),
    );
    await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts`,
      ec2Body(good.awsSecretAccessKey, { secret: good.awsSecretAccessKey }),
    );
    await a.client.post(
      `/api/orgs/${a.orgId}/provider-accounts`,
      ec2Body(good.awsSecretAccessKey, { region: good.awsSecretAccessKey }),
    );
    await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, {
      ...ehBody(good.elasticKey),
      name: good.elasticKey.repeat(3),
    });
    await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, {
      ...ehBody(good.elasticKey),
      user: `${good.elasticKey}:x`,
    });
    expect((await accounts()).length).toBe(2);
  });

  const secrets = () => ({
    awsSecret: good.awsSecretAccessKey,
    awsKeyId: good.awsAccessKeyId,
    elasticKey: good.elasticKey,
    wrongAwsSecret: wrong.awsSecretAccessKey,
    wrongAwsKeyId: wrong.awsAccessKeyId,
    wrongElasticKey: wrong.elasticKey,
  });

  it('the database holds them only sealed (job payloads and the ledger included)', () => {
    const dump = dumpDatabase(s.db);
    expect(dump).toContain('canary ec2');
    expect(findLeaks(dump, secrets(), 'database')).toEqual([]);
  });

  it('the logs at trace level never show them', () => {
    expect(s.logs.length).toBeGreaterThan(20);
    expect(findLeaks(s.logs.join('\n'), secrets(), 'logs')).toEqual([]);
  });

  it('no API answer shows them, and the audit log has only keyed hashes', async () => {
    expect(findLeaks(seenResponses.join('\n'), secrets(), 'responses')).toEqual([]);
    const audit = JSON.stringify(await s.core.db.selectFrom('audit_log').selectAll().execute());
    expect(findLeaks(audit, secrets(), 'audit')).toEqual([]);
    expect(audit).toContain(s.core.vault.auditHash(good.awsSecretAccessKey));
  });
});
