import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { LineChart } from '../../components/LineChart';
import { QueryState } from '../../components/QueryState';
import { RangePicker } from '../../components/RangePicker';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { Time } from '../../components/Time';
import { CHARTS, formatMetric, metricLabel, useFleet, useMetrics } from '../monitoring/queries';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServerPage } from './ServerLayout';

/** A server's CPU, memory, disk and load over a chosen range, and the switch that starts monitoring it. */
export function ServerMetrics() {
  const org = useOrg();
  const { server } = useServerPage();
  const queryClient = useQueryClient();
  const [range, setRange] = useState<number>(3600);
  const [said, setSaid] = useState('');
  const fleet = useFleet(org.id);
  const entry = fleet.data?.find((s) => s.serverId === server.id);
  const metrics = useMetrics(org.id, server.id, range, CHARTS);
  const path = { params: { path: { orgId: org.id, serverId: server.id } } };
  const toggle = useMutation({
    mutationFn: (on: boolean) =>
      call(
        on
          ? api.PUT('/api/orgs/{orgId}/servers/{serverId}/monitoring', { ...path, body: {} })
          : api.DELETE('/api/orgs/{orgId}/servers/{serverId}/monitoring', path),
      ),
    onSuccess: async (r) => {
      setSaid(
        r.enabled
          ? `Steward now monitors ${server.name}; the first figures arrive with the next sample.`
          : `Steward no longer monitors ${server.name}.`,
      );
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring') });
    },
  });
  const owner = org.role === 'owner';
  const result = metrics.data;
  return (
    <section className="section" aria-labelledby="metrics-title">
      <div className="section-head">
        <h2 id="metrics-title">Metrics</h2>
        <RangePicker value={range} onChange={setRange} />
      </div>
      <QueryState
        query={fleet}
        loading="Loading the monitoring state"
        failed="The monitoring state could not be loaded"
      />
      {entry && (
        <div className="card section">
          {entry.monitored ? (
            <p>
              Monitored{entry.intervalSeconds ? <>, a sample every {entry.intervalSeconds} s</> : ''}.
              {entry.lastSampleAt ? (
                <>
                  {' '}
                  Last sample <Time iso={entry.lastSampleAt} />.
                </>
              ) : (
                ' No sample yet.'
              )}
              {entry.lastError && (
                <>
                  {' '}
                  <span className="error-text">Last error: {entry.lastError}</span>
                </>
              )}
            </p>
          ) : (
            <p>
              Steward does not monitor this server. Monitoring logs in with the server’s login at each interval to read
              its figures; every login is in the credential-use ledger.
            </p>
          )}
          {owner && (
            <button
              type="button"
              className="btn btn-secondary switch"
              role="switch"
              aria-checked={entry.monitored}
              onClick={() => toggle.mutate(!entry.monitored)}
              disabled={toggle.isPending}
              aria-busy={toggle.isPending || undefined}
            >
              <span className="switch-track" aria-hidden="true" />
              Monitor this server
              <span className="switch-state" aria-hidden="true">
                {entry.monitored ? 'On' : 'Off'}
              </span>
            </button>
          )}
          <ErrorNotice error={toggle.error} title="Monitoring was not changed" />
          <LiveStatus message={said} />
        </div>
      )}
      <QueryState query={metrics} loading="Loading metrics" failed="Metrics could not be loaded" />
      {result && result.series.every((s) => s.t.length === 0) && (
        <EmptyState title="No figures in this range">
          {entry?.monitored ? 'Samples appear here as they arrive.' : 'Switch monitoring on to collect them.'}
        </EmptyState>
      )}
      {result && result.series.some((s) => s.t.length > 0) && (
        <ul className="chart-grid-list">
          {CHARTS.map((metric) => {
            const series = result.series.find((s) => s.metric === metric);
            const points = series ? series.t.map((t, i) => ({ t, v: series.avg[i] ?? 0 })) : [];
            return (
              <li key={metric}>
                <LineChart
                  title={metricLabel(metric)}
                  series={[{ label: metricLabel(metric), points }]}
                  from={result.from}
                  to={result.to}
                  format={(v) => formatMetric(metric, v)}
                  max={metric.includes('_pct') ? 100 : undefined}
                  gap={3 * Math.max(result.resolution, entry?.intervalSeconds ?? 60)}
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
