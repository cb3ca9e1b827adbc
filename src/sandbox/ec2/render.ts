import type { ImageInfo, InstanceTypeInfo } from './catalog.js';
import {
  STATE_CODES,
  type Ec2StateName,
  type KeyPairRecord,
  type Permission,
  type SandboxInstance,
  type SecurityGroupRecord,
} from './state.js';
import { el, items, tagSet } from './xml.js';

export const stateXml = (name: string, state: Ec2StateName): string =>
  `<${name}>${el('code', STATE_CODES[state])}${el('name', state)}</${name}>`;

function groupSet(groups: SandboxInstance['securityGroups']): string {
  return items('groupSet', groups, (g) => el('groupId', g.id) + el('groupName', g.name));
}

/** One instance as EC2 describes it. Public addresses only exist while it runs (or is about to). */
export function instanceXml(inst: SandboxInstance): string {
  const live = inst.state === 'pending' || inst.state === 'running';
  const publicIp = live ? inst.host?.address : undefined;
  return [
    el('instanceId', inst.id),
    el('imageId', inst.imageId),
    stateXml('instanceState', inst.state),
    el('privateDnsName', `ip-${inst.privateIp.replace(/\./g, '-')}.${inst.region}.compute.internal`),
    publicIp === undefined
      ? '<dnsName/>'
      : el('dnsName', `ec2-${publicIp.replace(/\./g, '-')}.${inst.region}.compute.amazonaws.com`),
    inst.reason === '' ? '<reason/>' : el('reason', inst.reason),
    el('keyName', inst.keyName),
    el('amiLaunchIndex', inst.launchIndex),
    '<productCodes/>',
    el('instanceType', inst.instanceType),
    el('launchTime', inst.launchTime),
    `<placement>${el('availabilityZone', inst.zone)}<groupName/>${el('tenancy', 'default')}</placement>`,
    `<monitoring>${el('state', 'disabled')}</monitoring>`,
    el('subnetId', inst.subnetId),
    el('vpcId', inst.vpcId),
    el('privateIpAddress', inst.privateIp),
    el('ipAddress', publicIp),
    el('sourceDestCheck', inst.attributes.sourceDestCheck),
    groupSet(inst.securityGroups),
    inst.stateReason === undefined
      ? ''
      : `<stateReason>${el('code', inst.stateReason.code)}${el('message', inst.stateReason.message)}</stateReason>`,
    el('architecture', inst.architecture),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', inst.rootVolume.device),
    inst.state === 'terminated' ? '<blockDeviceMapping/>' : items('blockDeviceMapping', [inst.rootVolume], rootMapping),
    el('virtualizationType', 'hvm'),
    inst.clientToken === undefined ? '<clientToken/>' : el('clientToken', inst.clientToken),
    tagSet(inst.tags),
    el('hypervisor', 'xen'),
    inst.state === 'terminated' ? '<networkInterfaceSet/>' : items('networkInterfaceSet', [inst], networkInterfaceXml),
    el('ebsOptimized', inst.attributes.ebsOptimized),
    el('enaSupport', true),
    `<cpuOptions>${el('coreCount', 1)}${el('threadsPerCore', 2)}</cpuOptions>`,
    `<capacityReservationSpecification>${el('capacityReservationPreference', 'open')}</capacityReservationSpecification>`,
    `<hibernationOptions>${el('configured', false)}</hibernationOptions>`,
    `<metadataOptions>${el('state', 'applied')}${el('httpTokens', 'optional')}${el('httpPutResponseHopLimit', 1)}${el('httpEndpoint', 'enabled')}${el('httpProtocolIpv6', 'disabled')}${el('instanceMetadataTags', 'disabled')}</metadataOptions>`,
    `<enclaveOptions>${el('enabled', false)}</enclaveOptions>`,
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
    `<privateDnsNameOptions>${el('hostnameType', 'ip-name')}${el('enableResourceNameDnsARecord', false)}${el('enableResourceNameDnsAAAARecord', false)}</privateDnsNameOptions>`,
    `<maintenanceOptions>${el('autoRecovery', 'default')}</maintenanceOptions>`,
    el('currentInstanceBootMode', 'legacy-bios'),
  ].join('');
}

function rootMapping(v: SandboxInstance['rootVolume']): string {
  return (
    el('deviceName', v.device) +
    `<ebs>${el('volumeId', v.id)}${el('status', 'attached')}${el('attachTime', v.attachTime)}${el('deleteOnTermination', true)}</ebs>`
  );
}

/** The primary network interface, with its public address while the instance has one. */
function networkInterfaceXml(inst: SandboxInstance): string {
  const live = inst.state === 'pending' || inst.state === 'running';
  const publicIp = live ? inst.host?.address : undefined;
  const association =
    publicIp === undefined
      ? ''
      : `<association>${el('publicIp', publicIp)}${el('publicDnsName', `ec2-${publicIp.replace(/\./g, '-')}.${inst.region}.compute.amazonaws.com`)}${el('ipOwnerId', 'amazon')}</association>`;
  return [
    el('networkInterfaceId', inst.networkInterfaceId),
    el('subnetId', inst.subnetId),
    el('vpcId', inst.vpcId),
    '<description/>',
    el('ownerId', inst.ownerId),
    el('status', 'in-use'),
    el('macAddress', inst.macAddress),
    el('privateIpAddress', inst.privateIp),
    el('privateDnsName', `ip-${inst.privateIp.replace(/\./g, '-')}.${inst.region}.compute.internal`),
    el('sourceDestCheck', inst.attributes.sourceDestCheck),
    groupSet(inst.securityGroups),
    `<attachment>${el('attachmentId', inst.networkInterfaceId.replace('eni-', 'eni-attach-'))}${el('deviceIndex', 0)}${el('status', 'attached')}${el('attachTime', inst.launchTime)}${el('deleteOnTermination', true)}${el('networkCardIndex', 0)}</attachment>`,
    association,
    items(
      'privateIpAddressesSet',
      [inst],
      () =>
        el('privateIpAddress', inst.privateIp) +
        el('privateDnsName', `ip-${inst.privateIp.replace(/\./g, '-')}.${inst.region}.compute.internal`) +
        el('primary', true) +
        association,
    ),
    '<ipv6AddressesSet/>',
    el('interfaceType', 'interface'),
  ].join('');
}

export function reservationXml(reservationId: string, ownerId: string, instances: readonly SandboxInstance[]): string {
  return (
    el('reservationId', reservationId) +
    el('ownerId', ownerId) +
    '<groupSet/>' +
    items('instancesSet', instances, instanceXml)
  );
}

export function imageXml(image: ImageInfo): string {
  return [
    el('imageId', image.id),
    el('imageLocation', `${image.ownerAlias}/${image.name}`),
    el('imageState', 'available'),
    el('imageOwnerId', image.ownerId),
    el('creationDate', image.created),
    el('isPublic', true),
    el('architecture', image.architecture),
    el('imageType', 'machine'),
    el('imageOwnerAlias', image.ownerAlias),
    el('name', image.name),
    el('description', image.description),
    el('rootDeviceType', 'ebs'),
    el('rootDeviceName', '/dev/xvda'),
    '<blockDeviceMapping/>',
    el('virtualizationType', 'hvm'),
    '<tagSet/>',
    el('hypervisor', 'xen'),
    el('enaSupport', true),
    el('platformDetails', 'Linux/UNIX'),
    el('usageOperation', 'RunInstances'),
  ].join('');
}

export function instanceTypeXml(t: InstanceTypeInfo): string {
  return [
    el('instanceType', t.name),
    el('currentGeneration', t.currentGeneration),
    el('freeTierEligible', t.freeTier),
    items('supportedUsageClasses', ['on-demand'], (u) => u),
    items('supportedRootDeviceTypes', ['ebs'], (u) => u),
    el('bareMetal', false),
    el('hypervisor', 'nitro'),
    `<processorInfo>${items('supportedArchitectures', t.architectures, (a) => a)}</processorInfo>`,
    `<vCpuInfo>${el('defaultVCpus', t.vcpus)}${el('defaultCores', Math.max(1, Math.floor(t.vcpus / 2)))}${el('defaultThreadsPerCore', t.vcpus > 1 ? 2 : 1)}</vCpuInfo>`,
    `<memoryInfo>${el('sizeInMiB', t.memoryMiB)}</memoryInfo>`,
    el('instanceStorageSupported', false),
    // Infrastructure tools read this to decide whether to ask for the instance's CPU credit specification.
    el('burstablePerformanceSupported', /^t\d/.test(t.name)),
  ].join('');
}

export function keyPairXml(k: KeyPairRecord): string {
  return (
    el('keyPairId', k.id) +
    el('keyName', k.name) +
    el('keyFingerprint', k.fingerprint) +
    el('keyType', k.type) +
    tagSet(k.tags) +
    el('createTime', k.created)
  );
}

function permissionXml(p: Permission): string {
  return (
    el('ipProtocol', p.protocol) +
    el('fromPort', p.fromPort) +
    el('toPort', p.toPort) +
    '<groups/>' +
    items('ipRanges', p.cidrs, (c) => el('cidrIp', c.cidr) + el('description', c.description)) +
    '<ipv6Ranges/><prefixListIds/>'
  );
}

export function securityGroupXml(g: SecurityGroupRecord): string {
  return (
    el('ownerId', g.ownerId) +
    el('groupId', g.id) +
    el('groupName', g.name) +
    el('groupDescription', g.description) +
    el('vpcId', g.vpcId) +
    items('ipPermissions', g.ingress, permissionXml) +
    items('ipPermissionsEgress', g.egress, permissionXml) +
    tagSet(g.tags)
  );
}
