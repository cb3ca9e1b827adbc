import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { Fingerprint } from '../../../components/Fingerprint';
import { SimpleTable } from '../../../components/SimpleTable';
import { Time } from '../../../components/Time';

export function Keys({ f }: { f: Facts }) {
  return (
    <div className="stack">
      <h3>Authorized SSH keys</h3>
      <SimpleTable
        caption="Authorized SSH keys"
        rows={f.sshKeys.authorized}
        rowKey={(k) => `${k.user}/${k.fingerprint}`}
        empty="No authorized keys found."
        columns={[
          { header: 'Account', rowHeader: true, cell: (k) => k.user },
          { header: 'Fingerprint', cell: (k) => <Fingerprint value={k.fingerprint} /> },
          { header: 'Type', cell: (k) => k.type },
          { header: 'Comment', cell: (k) => <span className="small">{k.comment || '—'}</span> },
        ]}
      />
      <h3>Host keys</h3>
      <SimpleTable
        caption="Host keys"
        rows={f.sshKeys.host}
        rowKey={(k) => k.file}
        empty="No host keys found."
        columns={[
          { header: 'File', rowHeader: true, cell: (k) => <span className="mono small">{k.file}</span> },
          { header: 'Type', cell: (k) => k.type },
          { header: 'Fingerprint', cell: (k) => <Fingerprint value={k.fingerprint} /> },
        ]}
      />
      <h3>Private key files</h3>
      <p className="muted small">Where they are only; their contents never leave the server.</p>
      <SimpleTable
        caption="Private key files"
        rows={f.sshKeys.privateKeyFiles}
        rowKey={(k) => k.path}
        empty="No private key files in home directories."
        columns={[
          { header: 'File', rowHeader: true, cell: (k) => <span className="mono small">{k.path}</span> },
          { header: 'Account', cell: (k) => k.user },
        ]}
      />
      <h3>TLS certificates</h3>
      <SimpleTable
        caption="TLS certificates"
        rows={f.certificates}
        rowKey={(c) => c.paths.join(',')}
        empty="No certificates found."
        columns={[
          {
            header: 'Subject',
            rowHeader: true,
            cell: (c) => <span className="small">{c.sans.length ? c.sans.join(', ') : c.subject}</span>,
          },
          { header: 'Issuer', cell: (c) => <span className="small">{c.selfSigned ? 'self-signed' : c.issuer}</span> },
          {
            header: 'Expires',
            cell: (c) => (
              <>
                <Time iso={c.notAfter} />{' '}
                {c.expired ? (
                  <Badge tone="danger">expired</Badge>
                ) : c.daysLeft < 21 ? (
                  <Badge tone="warn">{c.daysLeft} days left</Badge>
                ) : null}
              </>
            ),
          },
          { header: 'File', cell: (c) => <span className="mono small">{c.paths[0]}</span> },
        ]}
      />
    </div>
  );
}
