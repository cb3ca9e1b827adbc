import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxClouds, type SandboxClouds } from '../../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../../testkit/providers/fake-hosts.js';
import { signedGet } from '../../testkit/providers/sigv4-sign.js';
import { ed25519PublicKey } from '../../testkit/providers/ssh-keys.js';
import { parseXml } from './ec2-oracle.js';
import { fixturesRoot, readFixture } from './fixtures.js';

/**
 * The EC2 sandbox's answers against what EC2 answered when Libcloud and jclouds recorded it: for each action, every
 * element path of the recorded answer (lists folded to `item`) must be in the sandbox's answer too, under the same
 * root element. Paths for features the sandbox does not model are named here, one by one, with the reason.
 */
type Paths = Set<string>;

function pathsOf(node: unknown, prefix: string, into: Paths): Paths {
  if (Array.isArray(node)) {
    for (const item of node) pathsOf(item, prefix, into);
    return into;
  }
  if (typeof node !== 'object' || node === null) return into;
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    into.add(path);
    pathsOf(value, path, into);
  }
  return into;
}

interface Case {
  readonly action: string;
  readonly params: (ids: Ids) => Record<string, string>;
  readonly fixtures: readonly string[];
  /** Recorded paths the sandbox leaves out on purpose, with why. */
  readonly absent?: Readonly<Record<string, string>>;
}

interface Ids {
  readonly instance: string;
  readonly volume: string;
}

const CASES: readonly Case[] = [
  {
    action: 'DescribeVpcs',
    params: () => ({}),
    fixtures: ['libcloud/describe_vpcs.xml', 'jclouds-aws-ec2/describe_vpcs.xml'],
  },
  {
    action: 'DescribeSubnets',
    params: () => ({}),
    fixtures: ['libcloud/describe_subnets.xml', 'jclouds-ec2/describe_subnets.xml'],
  },
  {
    action: 'DescribeVolumes',
    params: () => ({}),
    fixtures: ['libcloud/describe_volumes.xml', 'jclouds-ec2/describe_volumes.xml'],
  },
  {
    action: 'GetConsoleOutput',
    params: (ids) => ({ InstanceId: ids.instance }),
    fixtures: ['libcloud/get_console_output.xml', 'jclouds-ec2/get_console_output_response.xml'],
  },
  {
    action: 'ModifyInstanceAttribute',
    params: (ids) => ({ InstanceId: ids.instance, 'SourceDestCheck.Value': 'false' }),
    fixtures: ['libcloud/modify_instance_attribute.xml'],
  },
  {
    action: 'CreateTags',
    params: (ids) => ({ 'ResourceId.1': ids.volume, 'Tag.1.Key': 'team', 'Tag.1.Value': 'ops' }),
    fixtures: ['libcloud/create_tags.xml'],
  },
  {
    action: 'DescribeTags',
    params: () => ({}),
    fixtures: ['libcloud/describe_tags.xml', 'jclouds-ec2/describe_tags.xml'],
  },
  {
    action: 'DescribeInstances',
    params: () => ({}),
    fixtures: ['libcloud/describe_instances.xml', 'jclouds-aws-ec2/describe_instances_latest.xml'],
    absent: {
      'reservationSet.item.instancesSet.item.kernelId': 'sandbox images are HVM, which have no kernel id',
      'reservationSet.item.groupSet.item': 'reservation groups are EC2-Classic; VPC instances list theirs per instance',
      'reservationSet.item.groupSet.item.groupId': 'as above',
      'reservationSet.item.groupSet.item.groupName': 'as above',
      'reservationSet.item.instancesSet.item.iamInstanceProfile': 'instance profiles (IAM) are not modelled',
      'reservationSet.item.instancesSet.item.iamInstanceProfile.arn': 'as above',
      'reservationSet.item.instancesSet.item.iamInstanceProfile.id': 'as above',
    },
  },
  {
    action: 'DescribeAccountAttributes',
    params: () => ({}),
    fixtures: ['libcloud/describe_account_attributes.xml'],
  },
  {
    action: 'DescribeSecurityGroups',
    params: () => ({}),
    fixtures: ['libcloud/describe_security_groups.xml'],
    absent: {
      'securityGroupInfo.item.ipPermissions.item.groups.item': 'rules naming other groups are not modelled',
      'securityGroupInfo.item.ipPermissions.item.groups.item.userId': 'rules naming other groups are not modelled',
      'securityGroupInfo.item.ipPermissions.item.groups.item.groupId': 'rules naming other groups are not modelled',
      'securityGroupInfo.item.ipPermissions.item.groups.item.groupName': 'rules naming other groups are not modelled',
    },
  },
];

describe('EC2 sandbox answers have the recorded shapes', () => {
  let root: string;
  let c: SandboxClouds;
  let ids: Ids;

  const call = async (action: string, params: Record<string, string>): Promise<string> => {
    const { url, headers } = signedGet({
      url: c.ec2.url,
      params: { Action: action, Version: '2016-11-15', ...params },
      accessKeyId: c.ec2.accessKeyId,
      secretAccessKey: c.ec2.secretAccessKey,
      region: c.ec2.region,
      service: 'ec2',
    });
    const res = await fetch(url, { headers });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${body}`);
    return body;
  };

  beforeAll(async () => {
    root = fixturesRoot();
    c = await startSandboxClouds({ hosts: new FakeInstanceHosts(), transitionMs: 0 });
    await call('ImportKeyPair', {
      KeyName: 'shapes',
      PublicKeyMaterial: Buffer.from(ed25519PublicKey().publicKey).toString('base64'),
    });
    const run = await call('RunInstances', {
      KeyName: 'shapes',
      'TagSpecification.2.ResourceType': 'instance',
      'TagSpecification.2.Tag.1.Key': 'Name',
      'TagSpecification.2.Tag.1.Value': 'shapes',
      ImageId: 'ami-0a5a4db0c0de00001',
      InstanceType: 't3.micro',
      MinCount: '2',
      MaxCount: '2',
      'TagSpecification.1.ResourceType': 'volume',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'root',
    });
    const instance = /<instanceId>(i-[0-9a-f]+)<\/instanceId>/.exec(run)?.[1] ?? '';
    const described = await call('DescribeInstances', { 'InstanceId.1': instance });
    ids = { instance, volume: /<volumeId>(vol-[0-9a-f]+)<\/volumeId>/.exec(described)?.[1] ?? '' };
    // A stopped instance carries the reason it stopped, as recorded answers show; the other one keeps running.
    const second = [...run.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)][1]?.[1] ?? '';
    await call('StopInstances', { 'InstanceId.1': second });
    // Recorded answers show tagged networks and a group with a rule; give the sandbox the same.
    const vpc = /<vpcId>(vpc-[0-9a-f]+)<\/vpcId>/.exec(described)?.[1] ?? '';
    const subnet = /<subnetId>(subnet-[0-9a-f]+)<\/subnetId>/.exec(described)?.[1] ?? '';
    await call('CreateTags', {
      'ResourceId.1': vpc,
      'ResourceId.2': subnet,
      'Tag.1.Key': 'Name',
      'Tag.1.Value': 'net',
    });
    await call('AuthorizeSecurityGroupIngress', {
      GroupName: 'default',
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
  });
  afterAll(async () => c?.close());

  for (const kase of CASES) {
    it(`${kase.action} (${kase.fixtures.join(', ')})`, async () => {
      const ours = parseXml(await call(kase.action, kase.params(ids)));
      const have = pathsOf(ours.body, '', new Set());
      for (const file of kase.fixtures) {
        const recorded = parseXml(readFixture(root, 'ec2', file));
        expect(ours.root, file).toBe(recorded.root);
        const missing = [...pathsOf(recorded.body, '', new Set())].filter(
          (p) => !have.has(p) && kase.absent?.[p] === undefined,
        );
        expect(missing, `${file}: recorded elements the sandbox does not answer`).toEqual([]);
      }
    });
  }
});
