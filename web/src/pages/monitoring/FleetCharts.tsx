import { useState } from 'react';
import { EmptyState } from '../../components/EmptyState';
import { LineChart } from '../../components/LineChart';
import { QueryState } from '../../components/QueryState';
import { RangePicker } from '../../components/RangePicker';
import { useOrg } from '../org/OrgScope';
import { CHARTS, formatMetric, metricLabel, useFleetMetrics } from './queries';

/** CPU, memory, disk and load across the fleet over a chosen range: a line for each server that rose highest. */
export function FleetCharts() {
  const org = useOrg();
  const [range, setRange] = useState<number>(3600);
  const metrics = useFleetMetrics(org.id, range);
  const result = metrics.data;
  return (
    <section className="section" aria-labelledby="fleet-charts-title">
      <div className="section-head">
        <h2 id="fleet-charts-title">Across the fleet</h2>
        <RangePicker value={range} onChange={setRange} />
      </div>
      <QueryState
        query={metrics}
        loading="Loading the fleet’s metrics"
        failed="The fleet’s metrics could not be loaded"
      />
      {result && result.series.every((s) => s.servers.length === 0) && (
        <EmptyState title="No figures in this range">
          Switch monitoring on in the settings below, or on a server’s Metrics tab; samples appear here as they arrive.
        </EmptyState>
      )}
      {result && result.series.some((s) => s.servers.length > 0) && (
        <ul className="chart-grid-list">
          {CHARTS.map((metric) => {
            const found = result.series.find((s) => s.metric === metric);
            const lines = (found?.servers ?? []).map((srv) => ({
              label: srv.name,
              points: srv.t.map((t, i) => ({ t, v: srv.avg[i] ?? 0 })),
            }));
            const count = found?.serverCount ?? 0;
            return (
              <li key={metric}>
                <LineChart
                  title={`${metricLabel(metric)} across the fleet`}
                  series={lines}
                  from={result.from}
                  to={result.to}
                  format={(v) => formatMetric(metric, v)}
                  max={metric.includes('_pct') ? 100 : undefined}
                  gap={3 * Math.max(result.resolution, 60)}
                  legend
                  note={
                    count > lines.length
                      ? `The ${lines.length} servers that rose highest, of ${count} with figures.`
                      : undefined
                  }
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
