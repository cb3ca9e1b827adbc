import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypesCommand,
  DescribeSecurityGroupsCommand,
  DescribeTagsCommand,
  EC2Client,
  ImportKeyPairCommand,
  paginateDescribeInstances,
  RunInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../testkit/providers/fake-hosts.js';
import { signedGet } from '../testkit/providers/sigv4-sign.js';
import { ed25519PublicKey } from '../testkit/providers/ssh-keys.js';

const IMAGE = 'ami-0a5a4db0c0de00001';

describe('EC2 sandbox through the official AWS SDK', () => {
  let c: SandboxClouds;
  let ec2: EC2Client;
  let sts: STSClient;
  const clock = new FakeClock(Date.now());
  const hosts = new FakeInstanceHosts();
  const client = <T>(
    Ctor: new (cfg: object) => T,
    creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  ): T => new Ctor({ region: c.ec2.region, endpoint: c.ec2.url, credentials: creds, maxAttempts: 1 });
  const errorOf = async (p: Promise<unknown>) =>
    p.then(
      () => expect.unreachable(),
      (e: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
        name: e.name,
        status: e.$metadata?.httpStatusCode,
      }),
    );

  beforeAll(async () => {
    c = await startSandboxClouds({ hosts, clock, transitionMs: 5_000 });
    ec2 = client(EC2Client, c.ec2);
    sts = client(STSClient, c.ec2);
  });
  afterAll(async () => c?.close());

  it('moves instances through pending, running, stopping, stopped, shutting-down and terminated as the clock runs', async () => {
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }),
    );
    const id = run.Instances?.[0]?.InstanceId ?? '';
    const state = async () =>
      (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]?.Instances?.[0]?.State
        ?.Name;
    expect(await state()).toBe('pending');
    clock.advance(5_000);
    expect(await state()).toBe('running');
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
    expect(stop.StoppingInstances?.[0]).toMatchObject({
      CurrentState: { Code: 64, Name: 'stopping' },
      PreviousState: { Code: 16, Name: 'running' },
    });
    clock.advance(5_000);
    expect(await state()).toBe('stopped');
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }))).Reservations?.[0]
      ?.Instances?.[0];
    expect(described?.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(described?.PublicIpAddress).toBeUndefined();
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(await state()).toBe('shutting-down');
    clock.advance(5_000);
    expect(await state()).toBe('terminated');
    clock.advance(2 * 60 * 60_000);
    expect(await errorOf(state())).toEqual({ name: 'InvalidInstanceID.NotFound', status: 400 });
  });

  it('honours ClientToken: the same request returns the same reservation, a different one is refused', async () => {
    const input = {
      ImageId: IMAGE,
      InstanceType: 't3.small' as const,
      MinCount: 1,
      MaxCount: 1,
      ClientToken: 'same-token',
    };
    const first = await ec2.send(new RunInstancesCommand(input));
    const again = await ec2.send(new RunInstancesCommand(input));
    expect(again.ReservationId).toBe(first.ReservationId);
    expect(again.Instances?.[0]?.InstanceId).toBe(first.Instances?.[0]?.InstanceId);
    expect(first.Instances?.[0]?.ClientToken).toBe('same-token');
    expect(await errorOf(ec2.send(new RunInstancesCommand({ ...input, InstanceType: 't3.medium' })))).toEqual({
      name: 'IdempotentParameterMismatch',
      status: 400,
    });
  });

  it('answers DryRun with 412 and validates launches like EC2', async () => {
    expect(
      await errorOf(ec2.send(new RunInstancesCommand({ ImageId: IMAGE, MinCount: 1, MaxCount: 1, DryRun: true }))),
    ).toEqual({ name: 'DryRunOperation', status: 412 });
    expect(
      (await errorOf(ec2.send(new RunInstancesCommand({ ImageId: 'ami-00000000', MinCount: 1, MaxCount: 1 })))).name,
    ).toBe('InvalidAMIID.NotFound');
    expect(
      (await errorOf(ec2.send(new RunInstancesCommand({ ImageId: IMAGE, MinCount: 1, MaxCount: 1, KeyName: 'nope' }))))
        .name,
    ).toBe('InvalidKeyPair.NotFound');
    expect(
      (
        await errorOf(
          ec2.send(new RunInstancesCommand({ ImageId: IMAGE, InstanceType: 't4g.micro', MinCount: 1, MaxCount: 1 })),
        )
      ).name,
    ).toBe('InvalidParameterValue');
    expect((await errorOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-1'] })))).name).toBe(
      'InvalidInstanceID.Malformed',
    );
    expect(
      (await errorOf(ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'], MaxResults: 5 }))))
        .name,
    ).toBe('InvalidParameterCombination');
    expect(
      (await errorOf(ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'flavour', Values: ['x'] }] })))).name,
    ).toBe('InvalidParameterValue');
  });

  it('puts the imported key and keys from user data on the instance host', async () => {
    const fromKeyPair = ed25519PublicKey();
    const fromUserData = ed25519PublicKey();
    await ec2.send(new ImportKeyPairCommand({ KeyName: 'ops', PublicKeyMaterial: Buffer.from(fromKeyPair.publicKey) }));
    const userData = Buffer.from(`#cloud-config\nssh_authorized_keys:\n  - ${fromUserData.publicKey}\n`).toString(
      'base64',
    );
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: IMAGE, MinCount: 1, MaxCount: 1, KeyName: 'ops', UserData: userData }),
    );
    const record = hosts.records.get(run.Instances?.[0]?.InstanceId ?? '');
    expect(record?.authorizedKeys).toEqual([
      fromKeyPair.publicKey.split(' ').slice(0, 2).join(' '),
      fromUserData.publicKey.split(' ').slice(0, 2).join(' '),
    ]);
    clock.advance(5_000);
    const described = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: [record?.instanceId ?? ''] })))
      .Reservations?.[0]?.Instances?.[0];
    expect(described?.PublicIpAddress).toBe(record?.host.address);
    expect(described?.KeyName).toBe('ops');
  });

  it('pages DescribeInstances and DescribeInstanceTypes for the SDK paginator', async () => {
    await ec2.send(new RunInstancesCommand({ ImageId: IMAGE, MinCount: 7, MaxCount: 7 }));
    const ids: string[] = [];
    let pages = 0;
    for await (const pageOut of paginateDescribeInstances({ client: ec2, pageSize: 5 }, {})) {
      pages++;
      for (const r of pageOut.Reservations ?? []) for (const i of r.Instances ?? []) ids.push(i.InstanceId ?? '');
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
    const types = await ec2.send(new DescribeInstanceTypesCommand({ MaxResults: 5 }));
    expect(types.InstanceTypes).toHaveLength(5);
    expect(types.NextToken).toBeDefined();
  });

  it('keeps security groups with their SSH rule, and tags', async () => {
    const created = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'ssh in' }));
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: created.GroupId,
        IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      }),
    );
    expect(
      (
        await errorOf(
          ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: created.GroupId,
              IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
            }),
          ),
        )
      ).name,
    ).toBe('InvalidPermission.Duplicate');
    expect(
      (await errorOf(ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'again' })))).name,
    ).toBe('InvalidGroup.Duplicate');
    const groups = await ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['ssh'] }] }),
    );
    expect(groups.SecurityGroups?.[0]?.IpPermissions?.[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    await ec2.send(
      new CreateTagsCommand({ Resources: [created.GroupId ?? ''], Tags: [{ Key: 'team', Value: 'ops' }] }),
    );
    const tags = await ec2.send(
      new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [created.GroupId ?? ''] }] }),
    );
    expect(tags.Tags).toEqual([
      { ResourceId: created.GroupId, ResourceType: 'security-group', Key: 'team', Value: 'ops' },
    ]);
  });

  it('answers credential failures with the codes and statuses AWS uses', async () => {
    const wrongSecret = { accessKeyId: c.ec2.accessKeyId, secretAccessKey: 'not-it' };
    const unknownKey = { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' };
    expect(await errorOf(client(EC2Client, wrongSecret).send(new DescribeInstancesCommand({})))).toEqual({
      name: 'AuthFailure',
      status: 401,
    });
    expect(await errorOf(client(EC2Client, unknownKey).send(new DescribeInstancesCommand({})))).toEqual({
      name: 'AuthFailure',
      status: 401,
    });
    expect(await errorOf(client(STSClient, wrongSecret).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(await errorOf(client(STSClient, unknownKey).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    const unsigned = await fetch(c.ec2.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeInstances&Version=2016-11-15',
    });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('assumes a role only with the right external id; temporary keys work and expire', async () => {
    const denied = sts.send(
      new AssumeRoleCommand({ RoleArn: c.ec2.roleArn, RoleSessionName: 's1', ExternalId: 'wrong' }),
    );
    expect(await errorOf(denied)).toEqual({ name: 'AccessDenied', status: 403 });
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: c.ec2.roleArn,
        RoleSessionName: 's1',
        ExternalId: c.ec2.externalId,
        DurationSeconds: 900,
      }),
    );
    const temp = {
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    };
    expect((await client(STSClient, temp).send(new GetCallerIdentityCommand({}))).Arn).toBe(
      `arn:aws:sts::${c.ec2.accountId}:assumed-role/SandboxStewardAccess/s1`,
    );
    await client(EC2Client, temp).send(new DescribeInstancesCommand({}));
    expect(
      await errorOf(client(EC2Client, { ...temp, sessionToken: 'forged' }).send(new DescribeInstancesCommand({}))),
    ).toEqual({ name: 'AuthFailure', status: 401 });
    clock.advance(901_000);
    expect(await errorOf(client(STSClient, temp).send(new GetCallerIdentityCommand({})))).toEqual({
      name: 'ExpiredToken',
      status: 400,
    });
  });

  it('accepts GET with signed query parameters and presigned URLs, and refuses stale signatures', async () => {
    const base = {
      url: c.ec2.url,
      accessKeyId: c.ec2.accessKeyId,
      secretAccessKey: c.ec2.secretAccessKey,
      region: 'eu-west-1',
      service: 'ec2',
      params: { Action: 'DescribeRegions', Version: '2016-11-15', 'RegionName.1': 'eu-west-1' },
    };
    for (const presign of [false, true]) {
      const { url, headers } = signedGet({ ...base, presign });
      const res = await fetch(url, { headers });
      const body = await res.text();
      expect(res.status, body).toBe(200);
      expect(body).toContain('<regionName>eu-west-1</regionName>');
    }
    const stale = signedGet({ ...base, date: new Date(Date.now() - 20 * 60_000) });
    const res = await fetch(stale.url, { headers: stale.headers });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>RequestExpired</Code>');
  });

  it('switches faults through the admin API', async () => {
    const admin = (method: string, body?: object, token = c.adminToken) =>
      fetch(new URL('/_sandbox/faults', c.ec2.url), {
        method,
        headers: { 'x-sandbox-admin-token': token },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect((await admin('POST', { throttle: { count: 1 } }, 'wrong')).status).toBe(401);
    expect((await admin('POST', { throttle: { count: 1 }, slow: { delayMs: 300, count: 1 } })).status).toBe(200);
    const started = Date.now();
    expect(await errorOf(ec2.send(new DescribeInstancesCommand({})))).toEqual({
      name: 'RequestLimitExceeded',
      status: 503,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((await admin('POST', { serverErrors: { count: 1 } })).status).toBe(200);
    expect(await errorOf(ec2.send(new DescribeInstancesCommand({})))).toEqual({ name: 'InternalError', status: 500 });
    await admin('POST', { badCredentials: true });
    expect(await errorOf(ec2.send(new DescribeInstancesCommand({})))).toEqual({ name: 'AuthFailure', status: 401 });
    await admin('DELETE');
    await ec2.send(new DescribeInstancesCommand({}));
  });
});
