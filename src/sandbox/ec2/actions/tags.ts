import { Ec2Fault } from '../faults.js';
import { filtersOf } from '../params.js';
import { checkFilterNames, matchesFilters, page } from '../query.js';
import type { RegionState } from '../state.js';
import { el, items } from '../xml.js';
import type { Ec2Action } from './context.js';
import { liveVolumes } from './volumes.js';

interface Taggable {
  readonly id: string;
  readonly type: 'instance' | 'security-group' | 'key-pair' | 'volume' | 'vpc' | 'subnet';
  readonly tags: Map<string, string>;
}

function taggables(region: RegionState): Taggable[] {
  return [
    ...[...region.instances.values()].map((i) => ({ id: i.id, type: 'instance' as const, tags: i.tags })),
    ...[...region.groups.values()].map((g) => ({ id: g.id, type: 'security-group' as const, tags: g.tags })),
    ...[...region.keyPairs.values()].map((k) => ({ id: k.id, type: 'key-pair' as const, tags: k.tags })),
    { id: region.vpcId, type: 'vpc' as const, tags: region.vpcTags },
    ...[...region.subnetTags].map(([id, tags]) => ({ id, type: 'subnet' as const, tags })),
    ...liveVolumes(region.instances.values()).map((i) => ({
      id: i.rootVolume.id,
      type: 'volume' as const,
      tags: i.rootVolume.tags,
    })),
  ];
}

function resolve(region: RegionState, ids: readonly string[]): Taggable[] {
  if (ids.length === 0) throw new Ec2Fault('MissingParameter', 'The request must contain the parameter resourceIdSet');
  const all = taggables(region);
  return ids.map((id) => {
    const found = all.find((t) => t.id === id);
    if (found !== undefined) return found;
    if (id.startsWith('i-')) throw new Ec2Fault('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    if (id.startsWith('vol-')) throw new Ec2Fault('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    if (id.startsWith('sg-')) throw new Ec2Fault('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
    throw new Ec2Fault('InvalidID', `The ID '${id}' is not valid`);
  });
}

export const createTags: Ec2Action = ({ p, region }) => {
  const targets = resolve(region, p.list('ResourceId'));
  const tags = p.structs('Tag').map((t) => [t.required('Key'), t.str('Value') ?? ''] as const);
  for (const [key] of tags)
    if (key.toLowerCase().startsWith('aws:'))
      throw new Ec2Fault('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
  for (const t of targets) for (const [k, v] of tags) t.tags.set(k, v);
  return el('return', true);
};

export const deleteTags: Ec2Action = ({ p, region }) => {
  const targets = resolve(region, p.list('ResourceId'));
  const tags = p.structs('Tag');
  for (const t of targets) {
    if (tags.length === 0) t.tags.clear();
    for (const tag of tags) {
      const key = tag.str('Key') ?? '';
      const value = tag.str('Value');
      if (value === undefined || t.tags.get(key) === value) t.tags.delete(key);
    }
  }
  return el('return', true);
};

export const describeTags: Ec2Action = ({ p, region }) => {
  const filters = filtersOf(p);
  const rows = taggables(region).flatMap((t) => [...t.tags].map(([key, value]) => ({ ...t, key, value })));
  const fields =
    (r: (typeof rows)[number]) =>
    (name: string): readonly string[] | undefined =>
      ({ 'resource-id': [r.id], 'resource-type': [r.type], key: [r.key], value: [r.value] })[name];
  checkFilterNames(filters, fields({ id: '', type: 'instance', tags: new Map(), key: '', value: '' }));
  const chosen = rows.filter((r) => matchesFilters(filters, fields(r)));
  const { items: shown, nextToken } = page(chosen, p, 'tags', { min: 5, max: 1000 });
  return (
    items(
      'tagSet',
      shown,
      (r) => el('resourceId', r.id) + el('resourceType', r.type) + el('key', r.key) + el('value', r.value),
    ) + el('nextToken', nextToken)
  );
};
