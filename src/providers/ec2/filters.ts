import type { Filter } from '@aws-sdk/client-ec2';
import type { ListNodesFilter, NodeState } from '../types.js';

const EC2_STATE_NAMES: Record<NodeState, readonly string[]> = {
  pending: ['pending'],
  running: ['running'],
  stopping: ['stopping', 'shutting-down'],
  stopped: ['stopped'],
  terminated: ['terminated'],
  unknown: [],
};

/**
 * EC2 filters for a node listing. Ids travel as an `instance-id` filter rather than `InstanceId.N` because
 * EC2 refuses MaxResults next to InstanceId.N, and listings always page.
 */
export function instanceFilters(filter: ListNodesFilter | undefined): Filter[] {
  const out: Filter[] = [];
  if (filter?.ids !== undefined) out.push({ Name: 'instance-id', Values: [...filter.ids] });
  if (filter?.states !== undefined)
    out.push({ Name: 'instance-state-name', Values: filter.states.flatMap((s) => EC2_STATE_NAMES[s]) });
  if (filter?.name !== undefined) out.push({ Name: 'tag:Name', Values: [filter.name] });
  for (const [key, value] of Object.entries(filter?.tags ?? {})) out.push({ Name: `tag:${key}`, Values: [value] });
  return out;
}
