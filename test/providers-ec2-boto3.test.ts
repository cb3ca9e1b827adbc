import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxClouds, type SandboxClouds } from '../src/sandbox/clouds.js';
import { FakeInstanceHosts } from '../testkit/providers/fake-hosts.js';
import { ed25519PublicKey } from '../testkit/providers/ssh-keys.js';
import { assertPythonModule, runPythonJson } from '../testkit/python-clients.js';

/**
 * The EC2 sandbox driven by Debian's python3-boto3 through the calls an infrastructure-as-code tool makes for one
 * instance: discover the default VPC, subnet and security group, launch with tags, a bigger root volume, user data
 * and termination protection, wait with boto3's own waiters, read attributes, volumes, credit specification, tags
 * and console output, change the type while stopped, and terminate.
 */
const LIFECYCLE = `
import base64, json, os
import boto3
from botocore.exceptions import ClientError

def client(service, secret=None):
    return boto3.client(service, endpoint_url=os.environ['ENDPOINT'], region_name='us-east-1',
                        aws_access_key_id=os.environ['KEY_ID'],
                        aws_secret_access_key=secret or os.environ['SECRET'])

def code(fn):
    try:
        fn()
        return 'accepted'
    except ClientError as e:
        return e.response['Error']['Code']

fast = {'Delay': 1, 'MaxAttempts': 60}
out = {}
ec2 = client('ec2')
out['account'] = client('sts').get_caller_identity()['Account']
out['badCredentials'] = code(lambda: client('ec2', 'wrong').describe_instances())

vpc = ec2.describe_vpcs(Filters=[{'Name': 'isDefault', 'Values': ['true']}])['Vpcs'][0]
subnets = ec2.describe_subnets(Filters=[{'Name': 'vpc-id', 'Values': [vpc['VpcId']]},
                                        {'Name': 'default-for-az', 'Values': ['true']}])['Subnets']
subnet = sorted(subnets, key=lambda s: s['AvailabilityZone'])[1]
group = ec2.describe_security_groups(Filters=[{'Name': 'group-name', 'Values': ['default']},
                                              {'Name': 'vpc-id', 'Values': [vpc['VpcId']]}])['SecurityGroups'][0]
image = ec2.describe_images(Owners=['amazon'], Filters=[{'Name': 'name', 'Values': ['sandbox-debian-12-amd64']}])['Images'][0]
itype = ec2.describe_instance_types(InstanceTypes=['t3.micro'])['InstanceTypes'][0]
out['discovered'] = {'vpcCidr': vpc['CidrBlock'], 'subnets': len(subnets), 'subnetCidr': subnet['CidrBlock'],
                     'group': group['GroupName'], 'image': image['ImageId'], 'vcpus': itype['VCpuInfo']['DefaultVCpus'],
                     'burstable': itype['BurstablePerformanceSupported']}
ec2.import_key_pair(KeyName='boto3-key', PublicKeyMaterial=os.environ['PUBLIC_KEY'].encode())

run = ec2.run_instances(ImageId=image['ImageId'], InstanceType='t3.micro', KeyName='boto3-key', MinCount=1, MaxCount=1,
    SubnetId=subnet['SubnetId'], SecurityGroupIds=[group['GroupId']], UserData='#!/bin/sh\\necho hello\\n',
    DisableApiTermination=True, CreditSpecification={'CpuCredits': 'standard'},
    BlockDeviceMappings=[{'DeviceName': '/dev/xvda', 'Ebs': {'VolumeSize': 10}}],
    TagSpecifications=[{'ResourceType': 'instance', 'Tags': [{'Key': 'Name', 'Value': 'boto3-web'}]},
                       {'ResourceType': 'volume', 'Tags': [{'Key': 'Name', 'Value': 'boto3-root'}]}])
iid = run['Instances'][0]['InstanceId']
ec2.get_waiter('instance_running').wait(InstanceIds=[iid], WaiterConfig=fast)
inst = ec2.describe_instances(InstanceIds=[iid])['Reservations'][0]['Instances'][0]
out['instance'] = {'zone': inst['Placement']['AvailabilityZone'], 'subnet': inst['SubnetId'] == subnet['SubnetId'],
                   'publicIp': inst.get('PublicIpAddress'), 'eniPublicIp': inst['NetworkInterfaces'][0]['Association']['PublicIp'],
                   'rootVolume': inst['BlockDeviceMappings'][0]['Ebs']['VolumeId'], 'name': inst['Tags'][0]['Value']}
attr = lambda name: ec2.describe_instance_attribute(InstanceId=iid, Attribute=name)
out['attributes'] = {'disableApiTermination': attr('disableApiTermination')['DisableApiTermination']['Value'],
                     'shutdown': attr('instanceInitiatedShutdownBehavior')['InstanceInitiatedShutdownBehavior']['Value'],
                     'userData': base64.b64decode(attr('userData')['UserData']['Value']).decode(),
                     'rootDevice': attr('rootDeviceName')['RootDeviceName']['Value']}
vols = ec2.describe_volumes(Filters=[{'Name': 'attachment.instance-id', 'Values': [iid]}])['Volumes']
out['volumes'] = [{'id': v['VolumeId'], 'size': v['Size'], 'state': v['State'], 'device': v['Attachments'][0]['Device'],
                   'tags': v.get('Tags', [])} for v in vols]
out['credits'] = ec2.describe_instance_credit_specifications(InstanceIds=[iid])['InstanceCreditSpecifications'][0]['CpuCredits']
ec2.create_tags(Resources=[iid, inst['BlockDeviceMappings'][0]['Ebs']['VolumeId']], Tags=[{'Key': 'team', 'Value': 'ops'}])
tags = ec2.describe_tags(Filters=[{'Name': 'key', 'Values': ['team']}])['Tags']
out['tags'] = sorted(t['ResourceType'] for t in tags)
out['console'] = ec2.get_console_output(InstanceId=iid)['Output']

# What Terraform sends right after creating an instance whose settings differ from the defaults.
ec2.modify_instance_attribute(InstanceId=iid, InstanceInitiatedShutdownBehavior={'Value': 'terminate'})
ec2.modify_instance_attribute(InstanceId=iid, SourceDestCheck={'Value': False})
out['changedWhileRunning'] = {
    'shutdown': attr('instanceInitiatedShutdownBehavior')['InstanceInitiatedShutdownBehavior']['Value'],
    'sourceDestCheck': ec2.describe_instances(InstanceIds=[iid])['Reservations'][0]['Instances'][0]['SourceDestCheck']}
out['protected'] = code(lambda: ec2.terminate_instances(InstanceIds=[iid]))
ec2.modify_instance_attribute(InstanceId=iid, DisableApiTermination={'Value': False})
out['resizeWhileRunning'] = code(lambda: ec2.modify_instance_attribute(InstanceId=iid, InstanceType={'Value': 't3.small'}))
ec2.stop_instances(InstanceIds=[iid])
ec2.get_waiter('instance_stopped').wait(InstanceIds=[iid], WaiterConfig=fast)
ec2.modify_instance_attribute(InstanceId=iid, InstanceType={'Value': 't3.small'})
ec2.start_instances(InstanceIds=[iid])
ec2.get_waiter('instance_running').wait(InstanceIds=[iid], WaiterConfig=fast)
out['resized'] = attr('instanceType')['InstanceType']['Value']
ec2.terminate_instances(InstanceIds=[iid])
ec2.get_waiter('instance_terminated').wait(InstanceIds=[iid], WaiterConfig=fast)
out['volumesAfter'] = len(ec2.describe_volumes(Filters=[{'Name': 'attachment.instance-id', 'Values': [iid]}])['Volumes'])
out['unknownVolume'] = code(lambda: ec2.describe_volumes(VolumeIds=[out['volumes'][0]['id']]))
out['instanceId'] = iid
print(json.dumps(out))
`;

interface Boto3Run {
  readonly account: string;
  readonly badCredentials: string;
  readonly discovered: Record<string, unknown>;
  readonly instance: Record<string, unknown> & { readonly publicIp: string; readonly rootVolume: string };
  readonly attributes: Record<string, unknown>;
  readonly volumes: { id: string; size: number; state: string; device: string; tags: unknown[] }[];
  readonly credits: string;
  readonly tags: string[];
  readonly console: string;
  readonly changedWhileRunning: { shutdown: string; sourceDestCheck: boolean };
  readonly protected: string;
  readonly resizeWhileRunning: string;
  readonly resized: string;
  readonly volumesAfter: number;
  readonly unknownVolume: string;
  readonly instanceId: string;
}

describe('EC2 sandbox through boto3', () => {
  let c: SandboxClouds;
  const hosts = new FakeInstanceHosts();

  beforeAll(async () => {
    await assertPythonModule('boto3', 'python3-boto3');
    c = await startSandboxClouds({ hosts, transitionMs: 300 });
  });
  afterAll(async () => c?.close());

  it('runs an instance lifecycle as an infrastructure-as-code tool does', async () => {
    const key = ed25519PublicKey('boto3@steward');
    const r = await runPythonJson<Boto3Run>(LIFECYCLE, {
      ENDPOINT: c.ec2.url,
      KEY_ID: c.ec2.accessKeyId,
      SECRET: c.ec2.secretAccessKey,
      PUBLIC_KEY: key.publicKey,
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    expect(r.account).toBe(c.ec2.accountId);
    expect(r.badCredentials).toBe('AuthFailure');
    expect(r.discovered).toEqual({
      vpcCidr: '172.31.0.0/16',
      subnets: 3,
      subnetCidr: '172.31.16.0/20',
      group: 'default',
      image: 'ami-0a5a4db0c0de00001',
      vcpus: 2,
      burstable: true,
    });
    // Launched in the subnet's zone, with the address on the instance and on its network interface.
    expect(r.instance).toMatchObject({ zone: 'us-east-1b', subnet: true, name: 'boto3-web' });
    expect(r.instance.eniPublicIp).toBe(r.instance.publicIp);
    expect(r.attributes).toEqual({
      disableApiTermination: true,
      shutdown: 'stop',
      userData: '#!/bin/sh\necho hello\n',
      rootDevice: '/dev/xvda',
    });
    expect(r.volumes).toEqual([
      {
        id: r.instance.rootVolume,
        size: 10,
        state: 'in-use',
        device: '/dev/xvda',
        tags: [{ Key: 'Name', Value: 'boto3-root' }],
      },
    ]);
    expect(r.credits).toBe('standard');
    expect(r.tags).toEqual(['instance', 'volume']);
    // boto3 decodes the console; it holds the host's key between cloud-init's markers.
    const hostKey = hosts.records.get(r.instanceId)?.host.hostKeys[0];
    expect(r.console).toContain(`-----BEGIN SSH HOST KEY KEYS-----\r\n${hostKey?.publicKey} root@ip-172-31-16-`);
    expect(r.changedWhileRunning).toEqual({ shutdown: 'terminate', sourceDestCheck: false });
    expect(r.protected).toBe('OperationNotPermitted');
    expect(r.resizeWhileRunning).toBe('IncorrectInstanceState');
    expect(r.resized).toBe('t3.small');
    expect(r.volumesAfter).toBe(0);
    expect(r.unknownVolume).toBe('InvalidVolume.NotFound');
    expect(hosts.records.get(r.instanceId)?.history).toEqual(['create', 'stop', 'start', 'destroy']);
  });
});
