import { Link } from 'react-router';
import { Ago } from '../../components/Ago';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { useOrg } from '../org/OrgScope';
import { formatMetric, useFleet } from './queries';
import type { FleetServer } from './model';
import { FleetState } from './FleetState';

export function Fleet() {
  const org = useOrg();
  const fleet = useFleet(org.id);
  const figure = (metric: string) => (row: FleetServer) => formatMetric(metric, row.latest[metric]);
  const columns: Column<FleetServer>[] = [
    {
      header: 'Server',
      rowHeader: true,
      cell: (r) => <Link to={`/orgs/${org.id}/servers/${r.serverId}/metrics`}>{r.name}</Link>,
    },
    { header: 'State', cell: (r) => <FleetState row={r} /> },
    { header: 'CPU', cell: figure('cpu.busy_pct'), className: 'nowrap' },
    { header: 'Memory', cell: figure('mem.used_pct'), className: 'nowrap' },
    { header: 'Disk', cell: figure('disk.used_pct'), className: 'nowrap' },
    { header: 'Load', cell: figure('load.1'), className: 'nowrap' },
    { header: 'Last sample', cell: (r) => (r.lastSampleAt ? <Ago iso={r.lastSampleAt} /> : '—') },
  ];
  return (
    <section className="section" aria-labelledby="fleet-title">
      <h2 id="fleet-title">Fleet</h2>
      <QueryTable
        query={fleet}
        loading="Loading the fleet"
        failed="The fleet could not be loaded"
        caption="Servers with their latest figures"
        columns={columns}
        rowKey={(r) => r.serverId}
        empty="No servers yet."
      />
    </section>
  );
}
