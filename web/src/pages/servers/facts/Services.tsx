import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { SimpleTable } from '../../../components/SimpleTable';
import { yesNo } from './format';
import { Filtered } from './Filtered';

const SERVICE_TONE = { running: 'ok', stopped: 'neutral', failed: 'danger', unknown: 'warn' } as const;

export function Services({ f }: { f: Facts }) {
  return (
    <div className="stack">
      <Filtered label="services" rows={f.services} text={(s) => `${s.name} ${s.state} ${s.description ?? ''}`}>
        {(rows) => (
          <SimpleTable
            caption="Services"
            rows={rows}
            rowKey={(s) => s.name}
            empty="No service matches."
            columns={[
              { header: 'Service', rowHeader: true, cell: (s) => s.name },
              { header: 'State', cell: (s) => <Badge tone={SERVICE_TONE[s.state] ?? 'neutral'}>{s.state}</Badge> },
              { header: 'At boot', cell: (s) => yesNo(s.enabled) },
              { header: 'Description', cell: (s) => <span className="small">{s.description ?? '—'}</span> },
            ]}
          />
        )}
      </Filtered>
      <h3>Running programs</h3>
      <SimpleTable
        caption="Running programs"
        rows={f.processes}
        rowKey={(p) => p.command}
        empty="No processes reported."
        columns={[
          { header: 'Program', rowHeader: true, cell: (p) => <span className="mono">{p.command}</span> },
          { header: 'Processes', cell: (p) => p.count },
          { header: 'Users', cell: (p) => p.users.join(', ') },
        ]}
      />
      {f.containers.length > 0 && (
        <>
          <h3>Containers</h3>
          <SimpleTable
            caption="Containers"
            rows={f.containers}
            rowKey={(c) => c.name}
            empty=""
            columns={[
              { header: 'Container', rowHeader: true, cell: (c) => c.name },
              { header: 'Image', cell: (c) => <span className="mono small">{c.image}</span> },
              { header: 'Status', cell: (c) => c.status },
              { header: 'Ports', cell: (c) => <span className="mono small">{c.ports || '—'}</span> },
            ]}
          />
        </>
      )}
    </div>
  );
}
