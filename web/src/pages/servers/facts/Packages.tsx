import { type Facts } from '../../../api/facts';
import { SimpleTable } from '../../../components/SimpleTable';
import { Filtered } from './Filtered';

export function Packages({ f }: { f: Facts }) {
  return (
    <div className="stack">
      <h3>Recognised applications</h3>
      <SimpleTable
        caption="Recognised applications"
        rows={f.applications}
        rowKey={(a) => `${a.kind}/${a.name}/${a.location ?? ''}`}
        empty="No web server, database, runtime or app recognised."
        columns={[
          { header: 'Application', rowHeader: true, cell: (a) => a.name },
          { header: 'Kind', cell: (a) => a.kind.replace(/_/g, ' ') },
          { header: 'Version', cell: (a) => a.version ?? '—' },
          { header: 'Where', cell: (a) => <span className="mono small">{a.location ?? '—'}</span> },
          { header: 'Evidence', cell: (a) => <span className="small">{a.evidence.join(', ')}</span> },
        ]}
      />
      <h3>Installed packages</h3>
      <Filtered label="packages" rows={f.packages} text={(p) => `${p.name} ${p.version}`}>
        {(rows) => (
          <SimpleTable
            caption="Installed packages"
            rows={rows}
            rowKey={(p) => `${p.manager}/${p.name}/${p.arch ?? ''}`}
            empty="No package matches."
            columns={[
              { header: 'Package', rowHeader: true, cell: (p) => p.name },
              { header: 'Version', cell: (p) => <span className="mono small">{p.version}</span> },
              { header: 'Architecture', cell: (p) => p.arch ?? '—' },
              { header: 'Manager', cell: (p) => p.manager },
            ]}
          />
        )}
      </Filtered>
    </div>
  );
}
