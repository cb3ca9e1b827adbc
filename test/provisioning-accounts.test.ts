// Engine: SQLite only: the API's checks and the sandbox clouds' answers; the provider-account store runs on both engines in provisioning-credentials (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp } from '../testkit/client.js';
import type { TestSteward } from '../testkit/steward.js';
import {
  connect,
  ec2Account,
  elasticAccount,
  startFakeClouds,
  startProvisioningSteward,
} from '../testkit/provisioning-e2e.js';

type Clouds = Awaited<ReturnType<typeof startFakeClouds>>;

describe('connecting, listing and removing provider accounts', () => {
  let clouds: Clouds;
  let s: TestSteward;
  let closed: TestSteward;
  let a: SignedUp;
  let b: SignedUp;
  const post = (who: SignedUp, body: object) => who.client.post(`/api/orgs/${who.orgId}/provider-accounts`, body);

  beforeAll(async () => {
    clouds = await startFakeClouds();
    // The operator's own AWS keys (here the sandbox's) let customers connect by role instead of handing over keys.
    s = await startProvisioningSteward({
      STEWARD_AWS_ACCESS_KEY_ID: clouds.ec2.accessKeyId,
      STEWARD_AWS_SECRET_ACCESS_KEY: clouds.ec2.secretAccessKey,
    });
    closed = await startProvisioningSteward({ STEWARD_SANDBOX_ENDPOINTS: 'false' });
    a = await signUp(s.app);
    b = await signUp(s.app);
  });
  afterAll(async () => {
    await s?.close();
    await closed?.close();
    await clouds?.close();
  });

  it('says which fields are missing or do not belong, before anything is sent', async () => {
    const before = clouds.ec2.sandbox.requests.length;
    const cases: [object, RegExp][] = [
      [
        {
          provider: 'ec2',
          name: 'x',
          region: 'us-east-1',
          endpoint: clouds.ec2.url,
          accessKeyId: clouds.ec2.accessKeyId,
        },
        /secretAccessKey/,
      ],
      [
        {
          provider: 'ec2',
          name: 'x',
          endpoint: clouds.ec2.url,
          accessKeyId: clouds.ec2.accessKeyId,
          secretAccessKey: 'x',
        },
        /region/,
      ],
      [
        {
          provider: 'ec2',
          name: 'x',
          region: 'us-east-1',
          zone: 'lon-p',
          accessKeyId: clouds.ec2.accessKeyId,
          secretAccessKey: 'x',
        },
        /zone do/,
      ],
      [
        {
          provider: 'ec2',
          name: 'x',
          region: 'us-east-1',
          roleArn: 'arn:aws:iam::123456789012:role/X',
          accessKeyId: clouds.ec2.accessKeyId,
          secretAccessKey: 'x',
        },
        /not both/,
      ],
      [{ provider: 'elastichosts', name: 'x', user: 'u', secretKey: 'k' }, /zone/],
      [{ provider: 'elastichosts', name: 'x', zone: 'lon-p', user: 'u' }, /secretKey/],
      [{ provider: 'gce', name: 'x' }, /provider/],
    ];
    for (const [body, message] of cases) {
      const res = await post(a, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message).toMatch(message);
    }
    expect(clouds.ec2.sandbox.requests.length).toBe(before);
  });

  it('sends credentials only over https or to a loopback sandbox the operator allowed', async () => {
    const before = clouds.ec2.sandbox.requests.length;
    const sandboxPort = new URL(clouds.ec2.url).port;
    const cases: [SignedUp | 'closed', string, string][] = [
      [a, 'http://example.com/', 'STEWARD_INSECURE_ENDPOINT'],
      [a, 'http://localhost./', 'STEWARD_INSECURE_ENDPOINT'],
      [a, 'https://169.254.169.254/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://[fd00:ec2::254]/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://10.0.0.1/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://0x0a000001/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://[::ffff:169.254.169.254]/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://0.0.0.0/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      [a, 'https://user:pw@ec2.example.com/', 'STEWARD_INSECURE_ENDPOINT'],
      ['closed', clouds.ec2.url, 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      ['closed', `http://2130706433:${sandboxPort}/`, 'STEWARD_ENDPOINT_NOT_ALLOWED'],
      ['closed', 'https://sandbox.localhost/', 'STEWARD_ENDPOINT_NOT_ALLOWED'],
    ];
    const c = await signUp(closed.app);
    for (const [who, endpoint, code] of cases) {
      const caller = who === 'closed' ? c : who;
      const res = await post(caller, { ...ec2Account(clouds), endpoint });
      expect(res.status, endpoint).toBe(400);
      expect(res.body.error.code, endpoint).toBe(code);
      expect(res.body.error.message).toMatch(/https|loopback|sandbox|private|link-local|user info|own machine/);
    }
    expect(clouds.ec2.sandbox.requests.length).toBe(before);
    expect(await s.core.db.selectFrom('provider_accounts').selectAll().execute()).toEqual([]);
  });

  it('connects by role: Steward assumes it with the organisation id as external id, and no other organisation can', async () => {
    const roleArn = 'arn:aws:iam::123456789012:role/StewardAccess';
    clouds.ec2.sandbox.addRole({ arn: roleArn, externalId: a.orgId });
    const body = { provider: 'ec2', name: 'by role', region: 'us-east-1', endpoint: clouds.ec2.url, roleArn };
    const ok = await post(a, body);
    expect(ok.status, ok.raw).toBe(201);
    expect(ok.body).toMatchObject({
      auth: 'assume_role',
      roleArn,
      hint: 'StewardAccess',
      principal: expect.stringContaining('assumed-role/StewardAccess'),
    });
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.map(
      (u: { operation: string }) => u.operation,
    );
    expect(uses).toEqual(expect.arrayContaining(['sts.AssumeRole', 'sts.GetCallerIdentity', 'ec2.DescribeRegions']));
    const other = await post(b, body);
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('STEWARD_PROVIDER_INVALID_CREDENTIALS');
    const noKeys = await post(await signUp(closed.app), { ...body, endpoint: 'https://ec2.us-east-1.amazonaws.com/' });
    expect(noKeys.body.error.code).toBe('STEWARD_PROVIDER_UNSUPPORTED');
  });

  it('lists every account’s instances; an account that fails is reported with its last known instances', async () => {
    const ec2 = await connect(a, ec2Account(clouds));
    const eh = await connect(a, elasticAccount(clouds));
    const { EC2Client, RunInstancesCommand } = await import('@aws-sdk/client-ec2');
    const sdk = new EC2Client({ region: 'us-east-1', endpoint: clouds.ec2.url, credentials: clouds.ec2 });
    await sdk.send(new RunInstancesCommand({ ImageId: 'ami-0a5a4db0c0de00001', MinCount: 2, MaxCount: 2 }));
    await s.core.provisioning.sync.syncNow();

    const ok = (await a.client.get(`/api/orgs/${a.orgId}/instances`)).body;
    expect(ok.accounts.filter((x: { ok: boolean }) => x.ok).length).toBe(3);
    expect(
      ok.instances.filter((i: { accountId: string; live: boolean }) => i.accountId === ec2 && i.live),
    ).toHaveLength(2);

    clouds.ec2.sandbox.faults.set({ badCredentials: true });
    const partial = (await a.client.get(`/api/orgs/${a.orgId}/instances`)).body;
    clouds.ec2.sandbox.faults.reset();
    const failed = partial.accounts.find((x: { accountId: string }) => x.accountId === ec2);
    expect(failed).toMatchObject({ ok: false, error: { code: 'STEWARD_PROVIDER_INVALID_CREDENTIALS' } });
    expect(partial.accounts.find((x: { accountId: string }) => x.accountId === eh).ok).toBe(true);
    expect(
      partial.instances.filter((i: { accountId: string; live: boolean }) => i.accountId === ec2 && !i.live),
    ).toHaveLength(2);
  });

  it('removes an account without servers; its sealed credentials go with it', async () => {
    const id = await connect(a, elasticAccount(clouds, 'to remove'));
    expect(
      (
        await s.core.db
          .selectFrom('provider_accounts')
          .select('credential_sealed')
          .where('id', '=', id)
          .executeTakeFirst()
      )?.credential_sealed,
    ).toBeTruthy();
    expect((await b.client.delete(`/api/orgs/${a.orgId}/provider-accounts/${id}`)).status).toBe(404);
    const res = await a.client.delete(`/api/orgs/${a.orgId}/provider-accounts/${id}`);
    expect(res.status).toBe(200);
    expect(await s.core.db.selectFrom('provider_accounts').selectAll().where('id', '=', id).execute()).toEqual([]);
    expect((await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${id}`)).status).toBe(404);
    const actions = (await a.client.get(`/api/orgs/${a.orgId}/audit`)).body.entries.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toContain('provider_account.removed');
  });
});
