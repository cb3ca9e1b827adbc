import { Ec2Fault } from '../faults.js';
import { filtersOf, type Params } from '../params.js';
import { checkFilterNames, matchesFilters, tagField } from '../query.js';
import { securityGroupXml } from '../render.js';
import { hexId, type Permission, type RegionState, type SecurityGroupRecord } from '../state.js';
import { el, items } from '../xml.js';
import type { Ec2Action } from './context.js';

export const createSecurityGroup: Ec2Action = ({ p, region, principal }) => {
  const name = p.required('GroupName');
  const description = p.required('GroupDescription');
  if (name.startsWith('sg-')) throw new Ec2Fault('InvalidParameterValue', 'Group names may not be in the format sg-*.');
  const vpcId = p.str('VpcId') ?? region.vpcId;
  if (vpcId !== region.vpcId) throw new Ec2Fault('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
  if (region.groupByName(name) !== undefined)
    throw new Ec2Fault('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`);
  const tags = new Map(
    p
      .structs('TagSpecification')
      .flatMap((s) => s.structs('Tag').map((t) => [t.str('Key') ?? '', t.str('Value') ?? ''] as const)),
  );
  const group: SecurityGroupRecord = {
    id: hexId('sg'),
    name,
    description,
    vpcId,
    ownerId: principal.accountId,
    ingress: [],
    egress: [
      {
        protocol: '-1',
        fromPort: undefined,
        toPort: undefined,
        cidrs: [{ cidr: '0.0.0.0/0', description: undefined }],
      },
    ],
    tags,
  };
  region.groups.set(group.id, group);
  return el('return', true) + el('groupId', group.id);
};

/** Finds a group by `GroupId` or `GroupName`, as the ingress and delete calls accept either. */
export function groupOf(p: Params, region: RegionState): SecurityGroupRecord {
  const id = p.str('GroupId');
  const name = p.str('GroupName');
  const group = id !== undefined ? region.groups.get(id) : name !== undefined ? region.groupByName(name) : undefined;
  if (group === undefined) {
    if (id === undefined && name === undefined)
      throw new Ec2Fault('MissingParameter', 'The request must contain the parameter groupName or groupId');
    throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${id ?? name}' does not exist`);
  }
  return group;
}

function permissionsOf(p: Params): Permission[] {
  const structured = p.structs('IpPermissions').map((perm) => ({
    protocol: (perm.str('IpProtocol') ?? '-1').toLowerCase(),
    fromPort: perm.int('FromPort', -1, 65535),
    toPort: perm.int('ToPort', -1, 65535),
    cidrs: perm.structs('IpRanges').map((r) => ({ cidr: r.str('CidrIp') ?? '', description: r.str('Description') })),
  }));
  // The older flat form (`IpProtocol`, `FromPort`, `ToPort`, `CidrIp`) is what `aws ec2 … --port 22 --cidr` sends.
  const flatProtocol = p.str('IpProtocol');
  if (flatProtocol !== undefined) {
    structured.push({
      protocol: flatProtocol.toLowerCase(),
      fromPort: p.int('FromPort', -1, 65535),
      toPort: p.int('ToPort', -1, 65535),
      cidrs: [{ cidr: p.str('CidrIp') ?? '0.0.0.0/0', description: undefined }],
    });
  }
  if (structured.length === 0) throw new Ec2Fault('MissingParameter', 'No ip permissions specified');
  for (const perm of structured) {
    if (!['tcp', 'udp', 'icmp', '-1', '6', '17', '1'].includes(perm.protocol))
      throw new Ec2Fault(
        'InvalidParameterValue',
        `Invalid value '${perm.protocol}' for IP protocol. Unknown protocol.`,
      );
    for (const c of perm.cidrs) {
      if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(c.cidr))
        throw new Ec2Fault('InvalidParameterValue', `CIDR block ${c.cidr} is malformed`);
    }
  }
  return structured;
}

const sameRule = (a: Permission, b: Permission): boolean =>
  a.protocol === b.protocol && a.fromPort === b.fromPort && a.toPort === b.toPort;

export const authorizeSecurityGroupIngress: Ec2Action = ({ p, region }) => {
  const group = groupOf(p, region);
  const wanted = permissionsOf(p);
  for (const perm of wanted) {
    const existing = group.ingress.find((e) => sameRule(e, perm));
    const dup = perm.cidrs.find((c) => existing?.cidrs.some((e) => e.cidr === c.cidr));
    if (dup !== undefined) {
      throw new Ec2Fault(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${dup.cidr}, ${perm.protocol.toUpperCase()}, from port: ${perm.fromPort}, to port: ${perm.toPort}, ALLOW" already exists`,
      );
    }
  }
  for (const perm of wanted) {
    const i = group.ingress.findIndex((e) => sameRule(e, perm));
    const existing = group.ingress[i];
    if (existing === undefined) group.ingress.push(perm);
    else group.ingress[i] = { ...existing, cidrs: [...existing.cidrs, ...perm.cidrs] };
  }
  return el('return', true);
};

function groupFields(g: SecurityGroupRecord) {
  return (name: string): readonly string[] | undefined =>
    ({
      'group-name': [g.name],
      'group-id': [g.id],
      description: [g.description],
      'vpc-id': [g.vpcId],
      'owner-id': [g.ownerId],
      'ip-permission.from-port': g.ingress.map((i) => String(i.fromPort)),
      'ip-permission.to-port': g.ingress.map((i) => String(i.toPort)),
      'ip-permission.protocol': g.ingress.map((i) => i.protocol),
      'ip-permission.cidr': g.ingress.flatMap((i) => i.cidrs.map((c) => c.cidr)),
    })[name] ?? tagField(g.tags, name);
}

export const describeSecurityGroups: Ec2Action = ({ p, region }) => {
  const ids = p.list('GroupId');
  const names = p.list('GroupName');
  for (const id of ids)
    if (!region.groups.has(id))
      throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  for (const n of names)
    if (region.groupByName(n) === undefined)
      throw new Ec2Fault(
        'InvalidGroup.NotFound',
        `The security group '${n}' does not exist in default VPC '${region.vpcId}'`,
      );
  const filters = filtersOf(p);
  const all = [...region.groups.values()];
  checkFilterNames(filters, groupFields(all[0] as SecurityGroupRecord));
  const chosen = all.filter(
    (g) =>
      (ids.length === 0 || ids.includes(g.id)) &&
      (names.length === 0 || names.includes(g.name)) &&
      matchesFilters(filters, groupFields(g)),
  );
  return items('securityGroupInfo', chosen, securityGroupXml);
};

export const deleteSecurityGroup: Ec2Action = ({ p, region }) => {
  const group = groupOf(p, region);
  if (group.name === 'default')
    throw new Ec2Fault(
      'CannotDelete',
      `the specified group: "${group.id}" name: "default" cannot be deleted by a user`,
    );
  const inUse = [...region.instances.values()].some(
    (i) => i.state !== 'terminated' && i.securityGroups.some((g) => g.id === group.id),
  );
  if (inUse) throw new Ec2Fault('DependencyViolation', `resource ${group.id} has a dependent object`);
  region.groups.delete(group.id);
  return el('return', true) + el('groupId', group.id);
};
