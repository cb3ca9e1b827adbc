import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { KeyValues } from '../../../components/KeyValues';
import { SimpleTable } from '../../../components/SimpleTable';

export function Databases({ f }: { f: Facts }) {
  const servers = [
    ['MySQL / MariaDB', f.serviceConfig.mysql],
    ['PostgreSQL', f.serviceConfig.postgresql],
  ] as const;
  const present = servers.filter(([, s]) => s);
  return (
    <div className="stack">
      {present.length === 0 && <p className="muted">No database server found.</p>}
      {present.map(([name, s]) => (
        <div className="card" key={name}>
          <h3>{name}</h3>
          <KeyValues
            items={[
              ['Version', s!.version ?? '—'],
              ['Listens on', s!.listen.length ? s!.listen.join(', ') : '—'],
              ['Port', s!.port ?? '—'],
              ['Data directory', <span className="mono small">{s!.dataDirectory ?? '—'}</span>],
              ['Databases', s!.databases.join(', ') || '—'],
            ]}
          />
        </div>
      ))}
      <h3>Database administrators</h3>
      <SimpleTable
        caption="Database administrators"
        rows={f.dbAdmins}
        rowKey={(a) => `${a.engine}/${a.name}/${a.host ?? ''}`}
        empty="No database accounts found."
        columns={[
          { header: 'Account', rowHeader: true, cell: (a) => `${a.name}${a.host ? `@${a.host}` : ''}` },
          { header: 'Engine', cell: (a) => a.engine },
          { header: 'Superuser', cell: (a) => (a.superuser ? <Badge tone="warn">yes</Badge> : 'no') },
          { header: 'Known from', cell: (a) => (a.source === 'query' ? 'the database' : 'a configuration file') },
        ]}
      />
    </div>
  );
}
