import { zonesOf } from '../catalog.js';
import { Ec2Fault, notFoundIds } from '../faults.js';
import { filtersOf } from '../params.js';
import { checkFilterNames, matchesFilters, page, tagField } from '../query.js';
import type { RegionState } from '../state.js';
import { el, items, tagSet } from '../xml.js';
import type { Ec2Action } from './context.js';

const dhcpOptionsId = (region: RegionState): string => `dopt-${region.vpcId.slice(4, 12)}`;

export const describeVpcs: Ec2Action = ({ p, region, principal }) => {
  const ids = p.list('VpcId');
  const missing = ids.filter((id) => id !== region.vpcId);
  if (missing.length > 0) throw notFoundIds('InvalidVpcID.NotFound', 'vpc', missing);
  const filters = filtersOf(p);
  const fields = (name: string): readonly string[] | undefined =>
    ({
      'vpc-id': [region.vpcId],
      'is-default': ['true'],
      isDefault: ['true'],
      state: ['available'],
      'cidr-block': [region.vpcCidr],
      cidr: [region.vpcCidr],
      'cidr-block-association.cidr-block': [region.vpcCidr],
      'dhcp-options-id': [dhcpOptionsId(region)],
      'owner-id': [principal.accountId],
    })[name] ?? tagField(region.vpcTags, name);
  checkFilterNames(filters, fields);
  const shown = matchesFilters(filters, fields) ? [region] : [];
  return items(
    'vpcSet',
    shown,
    (r) =>
      el('vpcId', r.vpcId) +
      el('ownerId', principal.accountId) +
      el('state', 'available') +
      el('cidrBlock', r.vpcCidr) +
      items(
        'cidrBlockAssociationSet',
        [r],
        () =>
          el('cidrBlock', r.vpcCidr) +
          el('associationId', `vpc-cidr-assoc-${r.vpcId.slice(4)}`) +
          `<cidrBlockState>${el('state', 'associated')}</cidrBlockState>`,
      ) +
      '<ipv6CidrBlockAssociationSet/>' +
      el('dhcpOptionsId', dhcpOptionsId(r)) +
      tagSet(r.vpcTags) +
      el('instanceTenancy', 'default') +
      el('isDefault', true),
  );
};

export const describeSubnets: Ec2Action = ({ p, region, principal }) => {
  const ids = p.list('SubnetId');
  const known = new Set(region.subnets.values());
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) throw notFoundIds('InvalidSubnetID.NotFound', 'subnet', missing);
  const zones = zonesOf(region.name);
  const rows = [...region.subnets].map(([zone, id]) => ({
    id,
    zone,
    zoneId: zones.find((z) => z.name === zone)?.id ?? zone,
    cidr: region.subnetCidr(zone),
  }));
  const filters = filtersOf(p);
  const fields =
    (r: (typeof rows)[number]) =>
    (name: string): readonly string[] | undefined =>
      ({
        'subnet-id': [r.id],
        'vpc-id': [region.vpcId],
        'availability-zone': [r.zone],
        'availability-zone-id': [r.zoneId],
        'default-for-az': ['true'],
        defaultForAz: ['true'],
        state: ['available'],
        'cidr-block': [r.cidr],
        cidr: [r.cidr],
        cidrBlock: [r.cidr],
        'map-public-ip-on-launch': ['true'],
        'owner-id': [principal.accountId],
      })[name] ?? tagField(region.subnetTags.get(r.id) ?? new Map(), name);
  if (rows[0] !== undefined) checkFilterNames(filters, fields(rows[0]));
  const chosen = rows.filter((r) => (ids.length === 0 || ids.includes(r.id)) && matchesFilters(filters, fields(r)));
  const { items: shown, nextToken } = page(chosen, p, 'subnets', { min: 5, max: 1000 });
  return (
    items(
      'subnetSet',
      shown,
      (r) =>
        el('subnetId', r.id) +
        el('subnetArn', `arn:aws:ec2:${region.name}:${principal.accountId}:subnet/${r.id}`) +
        el('state', 'available') +
        el('ownerId', principal.accountId) +
        el('vpcId', region.vpcId) +
        el('cidrBlock', r.cidr) +
        '<ipv6CidrBlockAssociationSet/>' +
        el('availableIpAddressCount', 4091) +
        el('availabilityZone', r.zone) +
        el('availabilityZoneId', r.zoneId) +
        el('defaultForAz', true) +
        el('mapPublicIpOnLaunch', true) +
        el('mapCustomerOwnedIpOnLaunch', false) +
        el('assignIpv6AddressOnCreation', false) +
        el('enableDns64', false) +
        el('ipv6Native', false) +
        `<privateDnsNameOptionsOnLaunch>${el('hostnameType', 'ip-name')}${el('enableResourceNameDnsARecord', false)}${el('enableResourceNameDnsAAAARecord', false)}</privateDnsNameOptionsOnLaunch>` +
        tagSet(region.subnetTags.get(r.id) ?? new Map()),
    ) + el('nextToken', nextToken)
  );
};

const ACCOUNT_ATTRIBUTES = (region: RegionState): Record<string, readonly string[]> => ({
  'supported-platforms': ['VPC'],
  'default-vpc': [region.vpcId],
  'max-instances': ['20'],
  'vpc-max-security-groups-per-interface': ['5'],
  'max-elastic-ips': ['5'],
  'vpc-max-elastic-ips': ['5'],
});

export const describeAccountAttributes: Ec2Action = ({ p, region }) => {
  const all = ACCOUNT_ATTRIBUTES(region);
  const names = p.list('AttributeName');
  const unknown = names.find((n) => all[n] === undefined);
  if (unknown !== undefined)
    throw new Ec2Fault('InvalidParameterValue', `Value (${unknown}) for parameter attributeName is invalid.`);
  const chosen = Object.entries(all).filter(([n]) => names.length === 0 || names.includes(n));
  return items(
    'accountAttributeSet',
    chosen,
    ([name, values]) => el('attributeName', name) + items('attributeValueSet', values, (v) => el('attributeValue', v)),
  );
};
