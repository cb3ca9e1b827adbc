import { duration, kib, type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { KeyValues } from '../../../components/KeyValues';
import { SimpleTable } from '../../../components/SimpleTable';

export function System({ f }: { f: Facts }) {
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
