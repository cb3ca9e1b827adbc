import type {
  AvailabilityZone,
  Image as Ec2Image,
  Instance,
  InstanceState,
  InstanceStateChange,
  InstanceTypeInfo,
  KeyPairInfo,
  Region,
  Reservation,
  Tag,
} from '@aws-sdk/client-ec2';
import { MalformedResponseError } from '../errors.js';
import type { Image, KeyPair, Location, Node, NodeState, Size, StateChange } from '../types.js';

// Low byte of the state code; the high byte is opaque (AWS says to ignore it).
const BY_CODE: Record<number, NodeState> = {
  0: 'pending',
  16: 'running',
  32: 'stopping',
  48: 'terminated',
  64: 'stopping',
  80: 'stopped',
};
const BY_NAME: Record<string, NodeState> = {
  pending: 'pending',
  running: 'running',
  'shutting-down': 'stopping',
  terminated: 'terminated',
  stopping: 'stopping',
  stopped: 'stopped',
};

export function stateOf(state: InstanceState | undefined): NodeState {
  if (state === undefined) return 'unknown';
  if (state.Name !== undefined && BY_NAME[state.Name] !== undefined) return BY_NAME[state.Name] as NodeState;
  if (state.Code !== undefined) return BY_CODE[state.Code & 0xff] ?? 'unknown';
  return 'unknown';
}

export function tagsOf(tags: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

const unique = (values: readonly (string | undefined)[]): string[] => [
  ...new Set(values.filter((v): v is string => v !== undefined && v !== '')),
];

export function nodeFromInstance(instance: Instance, reservation?: Reservation): Node {
  const tags = tagsOf(instance.Tags);
  const nics = instance.NetworkInterfaces ?? [];
  return {
    id: instance.InstanceId ?? '',
    name: tags['Name'] ?? instance.InstanceId ?? '',
    state: stateOf(instance.State),
    publicIps: unique([
      instance.PublicIpAddress,
      ...nics.map((n) => n.Association?.PublicIp),
      ...nics.flatMap((n) => (n.PrivateIpAddresses ?? []).map((p) => p.Association?.PublicIp)),
    ]),
    privateIps: unique([
      instance.PrivateIpAddress,
      ...nics.flatMap((n) => (n.PrivateIpAddresses ?? []).map((p) => p.PrivateIpAddress)),
    ]),
    sizeId: instance.InstanceType,
    imageId: instance.ImageId,
    locationId: instance.Placement?.AvailabilityZone,
    created: instance.LaunchTime,
    extra: {
      providerState: instance.State?.Name,
      keyName: instance.KeyName,
      clientToken: instance.ClientToken,
      tags,
      securityGroups: (instance.SecurityGroups ?? []).map((g) => ({ id: g.GroupId, name: g.GroupName })),
      vpcId: instance.VpcId,
      subnetId: instance.SubnetId,
      architecture: instance.Architecture,
      platform: instance.Platform,
      publicDnsName: instance.PublicDnsName || undefined,
      privateDnsName: instance.PrivateDnsName || undefined,
      stateReason: instance.StateReason?.Message,
      reservationId: reservation?.ReservationId,
      ownerId: reservation?.OwnerId,
    },
  };
}

/**
 * Nodes of a DescribeInstances answer. An instance without an id means the answer was not read as EC2 meant
 * it; a listing missing a node could make callers think it is gone, so the whole answer is refused instead.
 */
export function nodesFromReservations(reservations: readonly Reservation[] | undefined): Node[] {
  const instances = (reservations ?? []).flatMap((r) => (r.Instances ?? []).map((i) => [i, r] as const));
  if (instances.some(([i]) => i.InstanceId === undefined || i.InstanceId === '')) {
    throw new MalformedResponseError(
      'DescribeInstances listed an instance without an id.',
      { provider: 'ec2', operation: 'DescribeInstances' },
      '',
    );
  }
  return instances.map(([i, r]) => nodeFromInstance(i, r));
}

export function locationFromZone(zone: AvailabilityZone): Location {
  return {
    id: zone.ZoneName ?? '',
    name: zone.ZoneName ?? '',
    extra: { region: zone.RegionName, zoneId: zone.ZoneId, state: zone.State, zoneType: zone.ZoneType },
  };
}

export function locationFromRegion(region: Region): Location {
  return {
    id: region.RegionName ?? '',
    name: region.RegionName ?? '',
    extra: { endpoint: region.Endpoint, optInStatus: region.OptInStatus },
  };
}

export function sizeFromInstanceType(info: InstanceTypeInfo): Size {
  const type = info.InstanceType ?? '';
  return {
    id: type,
    name: type,
    vcpus: info.VCpuInfo?.DefaultVCpus,
    ramMiB: info.MemoryInfo?.SizeInMiB ?? 0,
    diskGiB: info.InstanceStorageInfo?.TotalSizeInGB,
    extra: {
      architectures: info.ProcessorInfo?.SupportedArchitectures,
      currentGeneration: info.CurrentGeneration,
      freeTierEligible: info.FreeTierEligible,
    },
  };
}

export function imageFromEc2(image: Ec2Image): Image {
  return {
    id: image.ImageId ?? '',
    name: image.Name ?? image.ImageId ?? '',
    extra: {
      ownerId: image.OwnerId,
      ownerAlias: image.ImageOwnerAlias,
      architecture: image.Architecture,
      state: image.State,
      public: image.Public,
      description: image.Description,
      platform: image.Platform,
      rootDeviceType: image.RootDeviceType,
      virtualizationType: image.VirtualizationType,
      created: image.CreationDate,
      tags: tagsOf(image.Tags),
    },
  };
}

export function keyPairFromEc2(
  info: Pick<KeyPairInfo, 'KeyName' | 'KeyFingerprint' | 'KeyPairId' | 'KeyType'>,
): KeyPair {
  return {
    name: info.KeyName ?? '',
    // Recorded answers wrap the fingerprint in whitespace and newlines.
    fingerprint: (info.KeyFingerprint ?? '').trim(),
    extra: { keyPairId: info.KeyPairId, keyType: info.KeyType },
  };
}

export function stateChangeOf(change: InstanceStateChange): StateChange {
  return {
    nodeId: change.InstanceId ?? '',
    previous: change.PreviousState === undefined ? undefined : stateOf(change.PreviousState),
    current: stateOf(change.CurrentState),
  };
}
