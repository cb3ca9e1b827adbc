import { notFoundIds } from '../faults.js';
import { filtersOf } from '../params.js';
import { checkFilterNames, matchesFilters, page, tagField } from '../query.js';
import type { SandboxInstance } from '../state.js';
import { el, items, tagSet } from '../xml.js';
import type { Ec2Action } from './context.js';

/** Root volumes exist from launch until the instance is terminated (they are deleted on termination). */
export const liveVolumes = (instances: Iterable<SandboxInstance>): SandboxInstance[] =>
  [...instances].filter((i) => i.state !== 'terminated');

function volumeFields(i: SandboxInstance) {
  const v = i.rootVolume;
  return (name: string): readonly string[] | undefined =>
    ({
      'volume-id': [v.id],
      'volume-type': [v.type],
      size: [String(v.sizeGiB)],
      status: ['in-use'],
      'availability-zone': [i.zone],
      'attachment.instance-id': [i.id],
      'attachment.device': [v.device],
      'attachment.status': ['attached'],
      'attachment.delete-on-termination': ['true'],
      encrypted: ['false'],
      'snapshot-id': [`snap-${v.id.slice(4)}`],
    })[name] ?? tagField(v.tags, name);
}

export const describeVolumes: Ec2Action = ({ p, world, region }) => {
  world.settle(region);
  const all = liveVolumes(region.instances.values());
  const ids = p.list('VolumeId');
  const missing = ids.filter((id) => !all.some((i) => i.rootVolume.id === id));
  if (missing.length > 0) throw notFoundIds('InvalidVolume.NotFound', 'volume', missing);
  const filters = filtersOf(p);
  if (all[0] !== undefined) checkFilterNames(filters, volumeFields(all[0]));
  const chosen = all.filter(
    (i) => (ids.length === 0 || ids.includes(i.rootVolume.id)) && matchesFilters(filters, volumeFields(i)),
  );
  const { items: shown, nextToken } = page(chosen, p, 'volumes', { min: 5, max: 500 });
  return (
    items('volumeSet', shown, (i) => {
      const v = i.rootVolume;
      return (
        el('volumeId', v.id) +
        el('size', v.sizeGiB) +
        el('snapshotId', `snap-${v.id.slice(4)}`) +
        el('availabilityZone', i.zone) +
        el('status', 'in-use') +
        el('createTime', v.attachTime) +
        items(
          'attachmentSet',
          [v],
          () =>
            el('volumeId', v.id) +
            el('instanceId', i.id) +
            el('device', v.device) +
            el('status', 'attached') +
            el('attachTime', v.attachTime) +
            el('deleteOnTermination', true),
        ) +
        tagSet(v.tags) +
        el('volumeType', v.type) +
        el('iops', 3000) +
        el('throughput', 125) +
        el('encrypted', false) +
        el('multiAttachEnabled', false)
      );
    }) + el('nextToken', nextToken)
  );
};
