import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { KeyValues } from '../../../components/KeyValues';
import { SimpleTable } from '../../../components/SimpleTable';
import { yesNo } from './format';

export function Locations({ f }: { f: Facts }) {
  const l = f.locations;
  return (
    <div className="stack">
      <div className="card">
        <KeyValues
          items={[
            ['Web roots', l.webRoots.length ? <span className="mono small">{l.webRoots.join(', ')}</span> : '—'],
            [
              'Data directories',
              l.dataDirectories.length ? (
                <span className="mono small">{l.dataDirectories.map((d) => `${d.path} (${d.engine})`).join(', ')}</span>
              ) : (
                '—'
              ),
            ],
          ]}
        />
      </div>
      <h3>Applications on disk</h3>
      <SimpleTable
        caption="Applications on disk"
        rows={l.appFiles}
        rowKey={(a) => a.path}
        empty="No WordPress, Node or other application trees found."
        columns={[
          { header: 'Directory', rowHeader: true, cell: (a) => <span className="mono small">{a.path}</span> },
          { header: 'Kind', cell: (a) => a.kind },
          { header: 'Name and version', cell: (a) => [a.name, a.version].filter(Boolean).join(' ') || '—' },
          { header: 'Running', cell: (a) => (a.running ? 'yes' : 'no') },
        ]}
      />
      <h3>Web sites</h3>
      <SimpleTable
        caption="Web sites"
        rows={f.serviceConfig.webSites}
        rowKey={(w) => `${w.source}/${w.names.join(',')}`}
        empty="No web server sites found."
        columns={[
          { header: 'Names', rowHeader: true, cell: (w) => w.names.join(', ') || '(default)' },
          { header: 'Server', cell: (w) => w.server },
          { header: 'Root', cell: (w) => <span className="mono small">{w.roots.join(', ') || '—'}</span> },
          { header: 'Listens', cell: (w) => w.listen.join(', ') || '—' },
        ]}
      />
      <h3>Configuration files read</h3>
      <SimpleTable
        caption="Configuration files read"
        rows={l.configFiles}
        rowKey={(c) => c.path}
        empty="No known configuration files found."
        columns={[
          { header: 'File', rowHeader: true, cell: (c) => <span className="mono small">{c.path}</span> },
          { header: 'Format', cell: (c) => c.format },
          { header: 'Settings', cell: (c) => c.keys.length },
          {
            header: 'Holding credentials',
            cell: (c) =>
              c.secretKeys.length ? (
                <>
                  <Badge tone="warn">{c.secretKeys.length}</Badge>{' '}
                  <span className="small">{c.secretKeys.join(', ')} (sealed)</span>
                </>
              ) : (
                'none'
              ),
          },
        ]}
      />
      {f.serviceConfig.sshd && (
        <div className="card">
          <h3>SSH server settings</h3>
          <KeyValues
            items={[
              ['Ports', f.serviceConfig.sshd.ports.join(', ') || '—'],
              ['Root login', f.serviceConfig.sshd.permitRootLogin ?? '—'],
              ['Password login', yesNo(f.serviceConfig.sshd.passwordAuthentication)],
              ['Key login', yesNo(f.serviceConfig.sshd.pubkeyAuthentication)],
            ]}
          />
        </div>
      )}
    </div>
  );
}
