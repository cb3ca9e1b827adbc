import { IMAGES, INSTANCE_TYPES, REGIONS, zonesOf, type ImageInfo } from '../catalog.js';
import { Ec2Fault } from '../faults.js';
import { filtersOf } from '../params.js';
import { checkFilterNames, matchesFilters, page } from '../query.js';
import { imageXml, instanceTypeXml } from '../render.js';
import { el, items } from '../xml.js';
import type { Ec2Action } from './context.js';

export const describeRegions: Ec2Action = ({ p }) => {
  const names = p.list('RegionName');
  const filters = filtersOf(p);
  const fields =
    (r: (typeof REGIONS)[number]) =>
    (name: string): readonly string[] | undefined =>
      ({
        'region-name': [r.name],
        endpoint: [`ec2.${r.name}.amazonaws.com`],
        'opt-in-status': ['opt-in-not-required'],
      })[name];
  checkFilterNames(filters, fields(REGIONS[0] ?? { name: '', short: '' }));
  for (const n of names) {
    if (!REGIONS.some((r) => r.name === n)) throw new Ec2Fault('InvalidParameterValue', `Invalid region: ${n}`);
  }
  const chosen = REGIONS.filter(
    (r) => (names.length === 0 || names.includes(r.name)) && matchesFilters(filters, fields(r)),
  );
  return items(
    'regionInfo',
    chosen,
    (r) =>
      el('regionName', r.name) +
      el('regionEndpoint', `ec2.${r.name}.amazonaws.com`) +
      el('optInStatus', 'opt-in-not-required'),
  );
};

export const describeAvailabilityZones: Ec2Action = ({ p, region }) => {
  const names = p.list('ZoneName');
  const ids = p.list('ZoneId');
  const filters = filtersOf(p);
  const zones = zonesOf(region.name);
  const fields =
    (z: (typeof zones)[number]) =>
    (name: string): readonly string[] | undefined =>
      ({
        'zone-name': [z.name],
        'zone-id': [z.id],
        'region-name': [z.region],
        state: ['available'],
        'zone-type': ['availability-zone'],
        'group-name': [z.region],
      })[name];
  if (zones[0] !== undefined) checkFilterNames(filters, fields(zones[0]));
  for (const n of names) {
    if (!zones.some((z) => z.name === n))
      throw new Ec2Fault('InvalidParameterValue', `The zone '${n}' does not exist.`);
  }
  const chosen = zones.filter(
    (z) =>
      (names.length === 0 || names.includes(z.name)) &&
      (ids.length === 0 || ids.includes(z.id)) &&
      matchesFilters(filters, fields(z)),
  );
  return items(
    'availabilityZoneInfo',
    chosen,
    (z) =>
      el('zoneName', z.name) +
      el('zoneState', 'available') +
      el('regionName', z.region) +
      el('zoneId', z.id) +
      el('groupName', z.region) +
      el('networkBorderGroup', z.region) +
      el('zoneType', 'availability-zone') +
      el('optInStatus', 'opt-in-not-required') +
      '<messageSet/>',
  );
};

const IMAGE_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;

function imageFields(i: ImageInfo) {
  return (name: string): readonly string[] | undefined =>
    ({
      'image-id': [i.id],
      name: [i.name],
      description: [i.description],
      architecture: [i.architecture],
      'owner-id': [i.ownerId],
      'owner-alias': [i.ownerAlias],
      state: ['available'],
      'is-public': ['true'],
      'image-type': ['machine'],
      'root-device-type': ['ebs'],
      'virtualization-type': ['hvm'],
      hypervisor: ['xen'],
      'platform-details': ['Linux/UNIX'],
    })[name] ?? (name.startsWith('tag') ? [] : undefined);
}

export const describeImages: Ec2Action = ({ p, principal }) => {
  const ids = p.list('ImageId');
  const owners = p.list('Owner');
  if (ids.length > 0 && p.str('MaxResults') !== undefined) {
    throw new Ec2Fault(
      'InvalidParameterCombination',
      'The parameter imagesSet cannot be used with the parameter maxResults',
    );
  }
  const malformed = ids.find((id) => !IMAGE_ID.test(id));
  if (malformed !== undefined)
    throw new Ec2Fault('InvalidAMIID.Malformed', `Invalid id: "${malformed}" (expecting "ami-...")`);
  const missing = ids.filter((id) => !IMAGES.some((i) => i.id === id));
  if (missing.length > 0)
    throw new Ec2Fault('InvalidAMIID.NotFound', `The image id '[${missing.join(', ')}]' does not exist`);
  const filters = filtersOf(p);
  checkFilterNames(filters, imageFields(IMAGES[0] as ImageInfo));
  const ownerOk = (i: ImageInfo): boolean =>
    owners.length === 0 ||
    owners.some((o) => o === i.ownerId || o === i.ownerAlias || (o === 'self' && i.ownerId === principal.accountId));
  const chosen = IMAGES.filter(
    (i) => (ids.length === 0 || ids.includes(i.id)) && ownerOk(i) && matchesFilters(filters, imageFields(i)),
  );
  const { items: shown, nextToken } = page(chosen, p, 'images', { min: 5, max: 1000 });
  return items('imagesSet', shown, imageXml) + el('nextToken', nextToken);
};

export const describeInstanceTypes: Ec2Action = ({ p }) => {
  const wanted = p.list('InstanceType');
  const unknown = wanted.filter((w) => !INSTANCE_TYPES.some((t) => t.name === w));
  if (unknown.length > 0)
    throw new Ec2Fault(
      'InvalidInstanceType',
      `The following supplied instance types do not exist: [${unknown.join(', ')}]`,
    );
  const filters = filtersOf(p);
  const fields =
    (t: (typeof INSTANCE_TYPES)[number]) =>
    (name: string): readonly string[] | undefined =>
      ({
        'instance-type': [t.name],
        'vcpu-info.default-vcpus': [String(t.vcpus)],
        'memory-info.size-in-mib': [String(t.memoryMiB)],
        'processor-info.supported-architecture': [...t.architectures],
        'current-generation': [String(t.currentGeneration)],
        'free-tier-eligible': [String(t.freeTier)],
      })[name];
  checkFilterNames(filters, fields(INSTANCE_TYPES[0] as (typeof INSTANCE_TYPES)[number]));
  const chosen = INSTANCE_TYPES.filter(
    (t) => (wanted.length === 0 || wanted.includes(t.name)) && matchesFilters(filters, fields(t)),
  );
  const { items: shown, nextToken } = page(chosen, p, 'instance-types', { min: 5, max: 100 });
  return items('instanceTypeSet', shown, instanceTypeXml) + el('nextToken', nextToken);
};
