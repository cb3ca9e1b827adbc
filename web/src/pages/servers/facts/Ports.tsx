import { type Facts } from '../../../api/facts';
import { Badge } from '../../../components/Badge';
import { SimpleTable } from '../../../components/SimpleTable';

const PUBLIC = new Set(['0.0.0.0', '::', '*', '[::]']);

export function Ports({ f }: { f: Facts }) {
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
