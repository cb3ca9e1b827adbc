import { useState, type ReactNode } from 'react';
import { bytes, duration, kib, type Facts } from '../../api/facts';
import { Badge } from '../../components/Badge';
import { TextField } from '../../components/Field';
import { Fingerprint } from '../../components/Fingerprint';
import { KeyValues } from '../../components/KeyValues';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';

export interface FactCategory {
  readonly id: string;
  readonly label: string;
  readonly about: string;
  readonly count?: (facts: Facts) => number;
  readonly render: (facts: Facts) => ReactNode;
}

const yesNo = (v: boolean | null) => (v === null ? '—' : v ? 'yes' : 'no');
const SHOWN = 200;

/** A long list with a filter box: only the first rows that match are drawn, and the count says so. */
function Filtered<T>({
  label,
  rows,
  text,
  children,
}: {
  label: string;
  rows: readonly T[];
  text: (row: T) => string;
  children: (rows: readonly T[]) => ReactNode;
}) {
  const [needle, setNeedle] = useState('');
  const lower = needle.trim().toLowerCase();
  const matching = lower ? rows.filter((r) => text(r).toLowerCase().includes(lower)) : rows;
  return (
    <>
      <div className="filters" role="search" aria-label={`Filter ${label}`}>
        <TextField
          label={`Filter ${label}`}
          type="search"
          value={needle}
          onChange={(event) => setNeedle(event.target.value)}
          spellCheck={false}
        />
      </div>
      <p role="status" className="muted small">
        {matching.length === rows.length
          ? `${rows.length} ${label}`
          : `${matching.length} of ${rows.length} ${label} match`}
        {matching.length > SHOWN ? `; the first ${SHOWN} are shown, narrow the filter to see others.` : '.'}
      </p>
      {children(matching.slice(0, SHOWN))}
    </>
  );
}

function System({ f }: { f: Facts }) {
  return (
    <div className="stack">
      <div className="grid-2">
        <div className="card">
          <h3>Identity and system</h3>
          <KeyValues
            items={[
              ['Host name', f.identity.hostname ?? '—'],
              ['Full name', f.identity.fqdn ?? '—'],
              ['Operating system', f.os.prettyName ?? f.os.name ?? '—'],
              ['Kernel', [f.os.kernel.release, f.os.kernel.machine].filter(Boolean).join(' ') || '—'],
              ['Virtualisation', f.os.virtualisation ?? 'none reported'],
              ['Up for', duration(f.os.uptimeSeconds)],
              ['Discovery ran as', f.privilege],
            ]}
          />
        </div>
        <div className="card">
          <h3>Performance</h3>
          <KeyValues
            items={[
              [
                'CPU',
                f.performance.cpu.count ? `${f.performance.cpu.count} × ${f.performance.cpu.model ?? 'CPU'}` : '—',
              ],
              ['Memory', `${kib(f.performance.memory.availableKb)} free of ${kib(f.performance.memory.totalKb)}`],
              [
                'Load (1, 5, 15 min)',
                f.performance.load ? f.performance.load.map((n) => n.toFixed(2)).join(' · ') : '—',
              ],
              ['Processes', String(f.performance.processCount)],
            ]}
          />
        </div>
      </div>
      <SimpleTable
        caption="Addresses"
        rows={f.identity.addresses}
        rowKey={(a) => `${a.interface}/${a.address}`}
        empty="No addresses reported."
        columns={[
          {
            header: 'Address',
            rowHeader: true,
            cell: (a) => (
              <span className="mono">
                {a.address}
                {a.prefixLength !== null ? `/${a.prefixLength}` : ''}
              </span>
            ),
          },
          { header: 'Interface', cell: (a) => a.interface },
          { header: 'Family', cell: (a) => (a.family === 'inet6' ? 'IPv6' : 'IPv4') },
        ]}
      />
      <SimpleTable
        caption="Disks"
        rows={f.performance.disks}
        rowKey={(d) => d.mount}
        empty="No disks reported."
        columns={[
          { header: 'Mount', rowHeader: true, cell: (d) => <span className="mono">{d.mount}</span> },
          { header: 'File system', cell: (d) => <span className="mono small">{d.filesystem}</span> },
          { header: 'Size', cell: (d) => kib(d.sizeKb) },
          {
            header: 'Used',
            cell: (d) => (
              <>
                {d.usePercent}% {d.usePercent >= 90 && <Badge tone="warn">nearly full</Badge>}
              </>
            ),
          },
        ]}
      />
      {f.notes.length > 0 && (
        <div className="card">
          <h3>What could not be learned</h3>
          <ul>
            {f.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function Packages({ f }: { f: Facts }) {
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

const SERVICE_TONE = { running: 'ok', stopped: 'neutral', failed: 'danger', unknown: 'warn' } as const;

function Services({ f }: { f: Facts }) {
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

const PUBLIC = new Set(['0.0.0.0', '::', '*', '[::]']);

function Ports({ f }: { f: Facts }) {
  return (
    <SimpleTable
      caption="Listening ports"
      rows={f.ports}
      rowKey={(p) => `${p.proto}/${p.address}/${p.port}`}
      empty="Nothing is listening, or discovery could not see it."
      columns={[
        {
          header: 'Port',
          rowHeader: true,
          cell: (p) => (
            <span className="mono">
              {p.proto}/{p.port}
            </span>
          ),
        },
        {
          header: 'Address',
          cell: (p) => (
            <>
              <span className="mono">{p.address}</span>{' '}
              {PUBLIC.has(p.address) ? (
                <Badge tone="warn">all interfaces</Badge>
              ) : p.address.startsWith('127.') || p.address === '::1' ? (
                <Badge>local only</Badge>
              ) : null}
            </>
          ),
        },
        { header: 'Program', cell: (p) => p.process ?? '—' },
      ]}
    />
  );
}

function Users({ f }: { f: Facts }) {
  const people = [...f.users].sort((a, b) => Number(b.loginShell) - Number(a.loginShell) || a.uid - b.uid);
  return (
    <div className="stack">
      <div className="card">
        <h3>Who can act as root</h3>
        <KeyValues
          items={[
            ['Effective administrators', f.admins.effective.length ? f.admins.effective.join(', ') : 'none found'],
            ['Accounts with uid 0', f.admins.uid0.join(', ') || '—'],
            [
              'Administrator groups',
              f.admins.adminGroups.map((g) => `${g.group}: ${g.members.join(', ') || 'no members'}`).join('; ') || '—',
            ],
          ]}
        />
      </div>
      <SimpleTable
        caption="Sudo and doas rules"
        rows={f.admins.grants}
        rowKey={(g, i) => `${g.source}/${i}`}
        empty="No sudo or doas rules found."
        columns={[
          { header: 'Who', rowHeader: true, cell: (g) => `${g.principalType === 'group' ? '%' : ''}${g.principal}` },
          { header: 'As', cell: (g) => g.runAs ?? 'root' },
          { header: 'Commands', cell: (g) => <span className="mono small">{g.commands}</span> },
          { header: 'Password', cell: (g) => (g.noPassword ? <Badge tone="warn">not asked</Badge> : 'asked') },
          { header: 'From', cell: (g) => <span className="mono small">{g.source}</span> },
        ]}
      />
      <h3>Accounts</h3>
      <Filtered label="accounts" rows={people} text={(u) => `${u.name} ${u.home} ${u.shell}`}>
        {(rows) => (
          <SimpleTable
            caption="Accounts"
            rows={rows}
            rowKey={(u) => u.name}
            empty="No account matches."
            columns={[
              { header: 'Account', rowHeader: true, cell: (u) => u.name },
              { header: 'Uid', cell: (u) => u.uid },
              { header: 'Can log in', cell: (u) => (u.loginShell ? 'yes' : 'no') },
              {
                header: 'Password',
                cell: (u) => (u.password === 'empty' ? <Badge tone="danger">empty</Badge> : u.password),
              },
              { header: 'Home', cell: (u) => <span className="mono small">{u.home}</span> },
            ]}
          />
        )}
      </Filtered>
    </div>
  );
}

function Keys({ f }: { f: Facts }) {
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

function Databases({ f }: { f: Facts }) {
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

function Logs({ f }: { f: Facts }) {
  if (f.logs.length === 0) return <p className="muted">No log files found.</p>;
  return (
    <ul className="log-list">
      {f.logs.map((log) => (
        <li key={log.path} className="card">
          <h3 className="mono">{log.path}</h3>
          <p className="muted small">
            {bytes(log.sizeBytes)}, changed <Time iso={log.modifiedAt} />
          </p>
          {log.recentLines.length > 0 && (
            <details>
              <summary>
                Recent lines<span className="visually-hidden"> of {log.path}</span>
              </summary>
              <pre tabIndex={0} className="log-lines" aria-label={`Recent lines of ${log.path}`}>
                {log.recentLines.join('\n')}
              </pre>
            </details>
          )}
        </li>
      ))}
    </ul>
  );
}

function Locations({ f }: { f: Facts }) {
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

/** The categories a server's facts are shown in, in the order people look for them. */
export const FACT_CATEGORIES: readonly FactCategory[] = [
  {
    id: 'system',
    label: 'System',
    about: 'Names, addresses, operating system, performance and disks.',
    render: (f) => <System f={f} />,
  },
  {
    id: 'packages',
    label: 'Packages and apps',
    about: 'Installed packages and the applications Steward recognised among them.',
    count: (f) => f.packages.length,
    render: (f) => <Packages f={f} />,
  },
  {
    id: 'services',
    label: 'Services',
    about: 'Services, running programs and containers.',
    count: (f) => f.services.length,
    render: (f) => <Services f={f} />,
  },
  {
    id: 'ports',
    label: 'Ports',
    about: 'What listens for connections, and on which addresses.',
    count: (f) => f.ports.length,
    render: (f) => <Ports f={f} />,
  },
  {
    id: 'users',
    label: 'Users and admins',
    about: 'Accounts, and everyone who can act as root.',
    count: (f) => f.admins.effective.length,
    render: (f) => <Users f={f} />,
  },
  {
    id: 'keys',
    label: 'Keys and certificates',
    about: 'Authorized keys, host keys, private key files (locations only) and TLS certificates.',
    count: (f) => f.sshKeys.authorized.length + f.certificates.length,
    render: (f) => <Keys f={f} />,
  },
  {
    id: 'databases',
    label: 'Databases',
    about: 'Database servers, their databases and administrators.',
    count: (f) => f.dbAdmins.length,
    render: (f) => <Databases f={f} />,
  },
  {
    id: 'logs',
    label: 'Logs',
    about: 'Operational logs: where they are, how big, and their last lines.',
    count: (f) => f.logs.length,
    render: (f) => <Logs f={f} />,
  },
  {
    id: 'locations',
    label: 'Locations',
    about: 'Web roots, application trees, data directories and configuration files.',
    render: (f) => <Locations f={f} />,
  },
];
