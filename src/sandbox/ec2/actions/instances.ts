import { createHash, randomBytes } from 'node:crypto';
import { IMAGES, INSTANCE_TYPES, zonesOf } from '../catalog.js';
import { Ec2Fault, notFoundIds } from '../faults.js';
import { filtersOf, type ParamNode, type Params } from '../params.js';
import { checkFilterNames, matchesFilters, page, tagField } from '../query.js';
import { reservationXml } from '../render.js';
import {
  hexId,
  hostnameOf,
  STATE_CODES,
  type InstanceAttributes,
  type RegionState,
  type SandboxInstance,
} from '../state.js';
import { keysFromUserData } from '../user-data.js';
import { items } from '../xml.js';
import type { ActionContext, Ec2Action } from './context.js';

const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
const MAX_PER_LAUNCH = 20;

/** The instances named by `InstanceId.N`, in request order; EC2's errors for malformed and unknown ids. */
export function instancesNamed(region: RegionState, ids: readonly string[]): SandboxInstance[] {
  if (ids.length === 0) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter InstanceId');
  const malformed = ids.find((id) => !INSTANCE_ID.test(id));
  if (malformed !== undefined) throw new Ec2Fault('InvalidInstanceID.Malformed', `Invalid id: "${malformed}"`);
  const missing = ids.filter((id) => !region.instances.has(id));
  if (missing.length > 0) throw notFoundIds('InvalidInstanceID.NotFound', 'instance', missing);
  return ids.map((id) => region.instances.get(id) as SandboxInstance);
}

function instanceFields(i: SandboxInstance) {
  const live = i.state === 'pending' || i.state === 'running';
  return (name: string): readonly string[] | undefined =>
    ({
      'instance-id': [i.id],
      'instance-state-name': [i.state],
      'instance-state-code': [String(STATE_CODES[i.state])],
      'instance-type': [i.instanceType],
      'image-id': [i.imageId],
      'key-name': i.keyName === undefined ? [] : [i.keyName],
      'availability-zone': [i.zone],
      'ip-address': live && i.host !== undefined ? [i.host.address] : [],
      'private-ip-address': [i.privateIp],
      'reservation-id': [i.reservationId],
      'vpc-id': [i.vpcId],
      'subnet-id': [i.subnetId],
      'client-token': i.clientToken === undefined ? [] : [i.clientToken],
      'owner-id': [i.ownerId],
      architecture: [i.architecture],
      'group-id': i.securityGroups.map((g) => g.id),
      'group-name': i.securityGroups.map((g) => g.name),
      'instance.group-id': i.securityGroups.map((g) => g.id),
      'instance.group-name': i.securityGroups.map((g) => g.name),
      'launch-time': [i.launchTime.toISOString()],
      'block-device-mapping.volume-id': [i.rootVolume.id],
      'block-device-mapping.device-name': [i.rootVolume.device],
      'network-interface.network-interface-id': [i.networkInterfaceId],
    })[name] ?? tagField(i.tags, name);
}

/** Consecutive instances of one reservation rendered together, as EC2 groups them. */
function reservations(list: readonly SandboxInstance[]): string {
  const groups: SandboxInstance[][] = [];
  for (const inst of list) {
    const last = groups[groups.length - 1];
    if (last?.[0]?.reservationId === inst.reservationId) last.push(inst);
    else groups.push([inst]);
  }
  return items('reservationSet', groups, (g) => reservationXml(g[0]?.reservationId ?? '', g[0]?.ownerId ?? '', g));
}

export const describeInstances: Ec2Action = ({ p, world, region }) => {
  world.settle(region);
  const ids = p.list('InstanceId');
  if (ids.length > 0 && p.str('MaxResults') !== undefined) {
    throw new Ec2Fault(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const named = ids.length > 0 ? instancesNamed(region, ids) : [...region.instances.values()];
  const filters = filtersOf(p);
  const probe = named[0] ?? [...region.instances.values()][0];
  if (probe !== undefined) checkFilterNames(filters, instanceFields(probe));
  const chosen = named.filter((i) => matchesFilters(filters, instanceFields(i)));
  const { items: shown, nextToken } = page(chosen, p, 'instances', { min: 5, max: 1000 });
  return reservations(shown) + (nextToken === undefined ? '' : `<nextToken>${nextToken}</nextToken>`);
};

// A request's identity for ClientToken idempotency: every parameter but the token and protocol fields.
function digest(p: Params): string {
  const sorted = (node: ParamNode): unknown =>
    typeof node === 'string'
      ? node
      : Array.isArray(node)
        ? node.map(sorted)
        : Object.fromEntries(
            Object.keys(node)
              .sort()
              .map((k) => [k, sorted(node[k] as ParamNode)]),
          );
  const { ClientToken: _t, Action: _a, Version: _v, DryRun: _d, ...rest } = p.tree;
  return createHash('sha256')
    .update(JSON.stringify(sorted(rest)))
    .digest('hex');
}

function launchTags(p: Params, resourceType: 'instance' | 'volume'): Map<string, string> {
  const tags = new Map<string, string>();
  for (const spec of p.structs('TagSpecification')) {
    if (spec.str('ResourceType') !== resourceType) continue;
    for (const t of spec.structs('Tag')) tags.set(t.required('Key'), t.str('Value') ?? '');
  }
  return tags;
}

// The zone comes from the subnet when one is named (Terraform and boto3 users usually name one), else Placement.
function launchZone(p: Params, region: RegionState): string {
  const subnetId = p.str('SubnetId') ?? p.structs('NetworkInterface')[0]?.str('SubnetId');
  if (subnetId !== undefined) {
    const zone = [...region.subnets].find(([, id]) => id === subnetId)?.[0];
    if (zone === undefined)
      throw new Ec2Fault('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
    const asked = p.struct('Placement')?.str('AvailabilityZone');
    if (asked !== undefined && asked !== zone)
      throw new Ec2Fault('InvalidParameterValue', `The subnet '${subnetId}' is not in availability zone ${asked}.`);
    return zone;
  }
  const zoneName = p.struct('Placement')?.str('AvailabilityZone') ?? zonesOf(region.name)[0]?.name ?? `${region.name}a`;
  if (!region.subnets.has(zoneName))
    throw new Ec2Fault('InvalidParameterValue', `Invalid availability zone: [${zoneName}]`);
  return zoneName;
}

const ROOT_DEFAULT_GIB = 8;

function rootVolumeSize(p: Params): number {
  const root = p.structs('BlockDeviceMapping').find((m) => m.str('DeviceName') === '/dev/xvda');
  const size = root?.struct('Ebs')?.int('VolumeSize', 1, 16_384);
  if (size !== undefined && size < ROOT_DEFAULT_GIB)
    throw new Ec2Fault(
      'InvalidBlockDeviceMapping',
      `Volume of size ${size}GB is smaller than snapshot, expect size >= ${ROOT_DEFAULT_GIB}GB`,
    );
  return size ?? ROOT_DEFAULT_GIB;
}

function launchAttributes(p: Params, typeName: string): InstanceAttributes {
  const behaviour = p.str('InstanceInitiatedShutdownBehavior') ?? 'stop';
  if (behaviour !== 'stop' && behaviour !== 'terminate')
    throw new Ec2Fault(
      'InvalidParameterValue',
      `Value (${behaviour}) for parameter instanceInitiatedShutdownBehavior is invalid.`,
    );
  const burstable = /^t\d/.test(typeName);
  const credits = p.struct('CreditSpecification')?.str('CpuCredits');
  if (credits !== undefined && (!burstable || (credits !== 'standard' && credits !== 'unlimited')))
    throw new Ec2Fault(
      'InvalidParameterValue',
      `Value (${credits}) for parameter cpuCredits is invalid for ${typeName}.`,
    );
  return {
    disableApiTermination: p.bool('DisableApiTermination'),
    disableApiStop: p.bool('DisableApiStop'),
    shutdownBehavior: behaviour,
    userData: p.str('UserData') || undefined,
    sourceDestCheck: true,
    ebsOptimized: p.bool('EbsOptimized'),
    cpuCredits: burstable
      ? ((credits as 'standard' | 'unlimited' | undefined) ?? (typeName.startsWith('t2') ? 'standard' : 'unlimited'))
      : undefined,
  };
}

export const runInstances: Ec2Action = async ({ p, world, region, principal, hosts, clock }: ActionContext) => {
  const token = p.str('ClientToken');
  if (token !== undefined && token.length > 64)
    throw new Ec2Fault('InvalidParameterValue', 'Value for parameter ClientToken is too long (maximum 64 characters).');
  const requestDigest = digest(p);
  if (token !== undefined) {
    const earlier = region.clientTokens.get(token);
    if (earlier !== undefined) {
      if (earlier.digest !== requestDigest) {
        throw new Ec2Fault(
          'IdempotentParameterMismatch',
          'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).',
        );
      }
      world.settle(region);
      const same = [...region.instances.values()].filter((i) => i.reservationId === earlier.reservationId);
      return reservationXml(earlier.reservationId, principal.accountId, same);
    }
  }
  const imageId = p.required('ImageId');
  if (!/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(imageId))
    throw new Ec2Fault('InvalidAMIID.Malformed', `Invalid id: "${imageId}" (expecting "ami-...")`);
  const image = IMAGES.find((i) => i.id === imageId);
  if (image === undefined) throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
  const typeName = p.str('InstanceType') ?? 'm1.small';
  const type = INSTANCE_TYPES.find((t) => t.name === typeName);
  if (type === undefined) throw new Ec2Fault('InvalidParameterValue', `Invalid value '${typeName}' for InstanceType.`);
  if (!type.architectures.includes(image.architecture)) {
    throw new Ec2Fault(
      'InvalidParameterValue',
      `The architecture '${type.architectures.join(', ')}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI.`,
    );
  }
  p.required('MinCount');
  p.required('MaxCount');
  const min = p.int('MinCount', 1, 10_000) ?? 1;
  const max = p.int('MaxCount', 1, 10_000) ?? 1;
  if (min > max) throw new Ec2Fault('InvalidParameterValue', 'MinCount must be less than or equal to MaxCount');
  if (min > MAX_PER_LAUNCH)
    throw new Ec2Fault(
      'InstanceLimitExceeded',
      `Your quota allows for 0 more running instance(s). You requested at least ${min}`,
    );
  const keyName = p.str('KeyName');
  const keyPair = keyName === undefined ? undefined : region.keyPairs.get(keyName);
  if (keyName !== undefined && keyPair === undefined)
    throw new Ec2Fault('InvalidKeyPair.NotFound', `The key pair '${keyName}' does not exist`);
  const zoneName = launchZone(p, region);
  const groups = [
    ...p.list('SecurityGroupId').map((id) => region.groups.get(id)),
    ...p.list('SecurityGroup').map((n) => region.groupByName(n)),
  ];
  const unknownGroup = [...p.list('SecurityGroupId'), ...p.list('SecurityGroup')][
    groups.findIndex((g) => g === undefined)
  ];
  if (unknownGroup !== undefined)
    throw new Ec2Fault(
      'InvalidGroup.NotFound',
      `The security group '${unknownGroup}' does not exist in VPC '${region.vpcId}'`,
    );
  const securityGroups = (groups.length > 0 ? groups : [region.groupByName('default')])
    .filter((g) => g !== undefined)
    .map((g) => ({ id: g.id, name: g.name }));
  const authorizedKeys = [
    ...new Set([...(keyPair === undefined ? [] : [keyPair.publicKey]), ...keysFromUserData(p.str('UserData'))]),
  ];
  const tags = launchTags(p, 'instance');
  const volumeTags = launchTags(p, 'volume');
  const rootSize = rootVolumeSize(p);
  const attributes = launchAttributes(p, type.name);
  const reservationId = hexId('r');
  const launched: SandboxInstance[] = [];
  try {
    for (let n = 0; n < Math.min(max, MAX_PER_LAUNCH); n++) {
      const inst: SandboxInstance = {
        id: hexId('i'),
        region: region.name,
        reservationId,
        ownerId: principal.accountId,
        imageId,
        instanceType: type.name,
        architecture: image.architecture,
        keyName,
        zone: zoneName,
        subnetId: region.subnets.get(zoneName) ?? '',
        vpcId: region.vpcId,
        privateIp: region.nextPrivateIp(zoneName),
        launchTime: clock.now(),
        clientToken: token,
        launchIndex: n,
        securityGroups,
        tags: new Map(tags),
        state: 'pending',
        next: undefined,
        reason: '',
        terminatedAtMs: undefined,
        stateReason: undefined,
        host: undefined,
        rootVolume: {
          id: hexId('vol'),
          sizeGiB: rootSize,
          device: '/dev/xvda',
          type: 'gp3',
          attachTime: clock.now(),
          tags: new Map(volumeTags),
        },
        attributes: { ...attributes },
        networkInterfaceId: hexId('eni'),
        macAddress: `0e:${randomBytes(5).toString('hex').match(/../g)?.join(':') ?? '00:00:00:00:00'}`,
        console: '',
        pendingBoot: undefined,
      };
      inst.host = await hosts.create(inst.id, { authorizedKeys, hostname: hostnameOf(inst) });
      world.move(inst, 'pending', 'running');
      world.boot(inst);
      launched.push(inst);
    }
  } catch (err) {
    await Promise.allSettled(launched.map((i) => hosts.destroy(i.id)));
    if (err instanceof Ec2Fault) throw err;
    throw new Ec2Fault(
      'InsufficientInstanceCapacity',
      'We currently do not have sufficient capacity in the Availability Zone you requested.',
      500,
    );
  }
  for (const inst of launched) region.instances.set(inst.id, inst);
  if (token !== undefined) region.clientTokens.set(token, { reservationId, digest: requestDigest });
  return reservationXml(reservationId, principal.accountId, launched);
};
