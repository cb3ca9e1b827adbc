import { SimpleTable } from '../../components/SimpleTable';
import type { Count } from './privacyOpsModel';
import { AnalyticsBars } from './AnalyticsBars';

export function AnalyticsCountTable({ title, rows }: { title: string; rows: Count[] }) {
  const top = rows.slice(0, 10);
  return (
    <div className="stack tight">
      <h3>{title}</h3>
      <SimpleTable
        caption={title}
        rows={top}
        rowKey={(r) => r.key}
        empty="None in this period."
        columns={[
          { header: 'Name', rowHeader: true, cell: (r) => r.key },
          { header: 'Count', cell: (r) => r.count },
        ]}
      />
      {top.length > 0 && <AnalyticsBars rows={top} label={`${title}: the same counts as bars`} />}
    </div>
  );
}
