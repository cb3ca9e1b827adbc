import { Badge } from '../../components/Badge';
import type { FleetServer } from './model';

export function FleetState({ row }: { row: FleetServer }) {
  if (!row.monitored) return <Badge>Not monitored</Badge>;
  if (row.failures > 0)
    return (
      <span title={row.lastError ?? undefined}>
        <Badge tone="danger">Unreachable</Badge> <span className="muted small">{row.failures} failed</span>
      </span>
    );
  if (!row.lastSampleAt) return <Badge tone="info">Waiting for a sample</Badge>;
  return <Badge tone="ok">Monitored</Badge>;
}
