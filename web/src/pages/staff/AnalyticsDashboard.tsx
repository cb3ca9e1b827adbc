import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { KeyValues } from '../../components/KeyValues';
import { QueryState } from '../../components/QueryState';
import { AnalyticsCountTable } from './AnalyticsCountTable';

export function AnalyticsDashboard() {
  const figures = useQuery({ queryKey: ['staff', 'analytics'], queryFn: () => call(api.GET('/api/staff/analytics')) });
  const s = figures.data;
  return (
    <section className="section stack" aria-labelledby="analytics-title">
      <h2 id="analytics-title">Analytics, last 30 days</h2>
      <QueryState query={figures} loading="Loading the figures" failed="The figures could not be loaded" />
      {s && (
        <>
          <KeyValues
            items={[
              ['Visits', s.visits],
              ['Visitors', s.visitors],
              ['Page views', s.pageViews],
            ]}
          />
          {s.pageViews === 0 && <EmptyState title="No visits recorded in this period" />}
          <div className="grid-2">
            <AnalyticsCountTable title="Top pages" rows={s.topPages} />
            <AnalyticsCountTable title="Referring sites" rows={s.referrers} />
            <AnalyticsCountTable title="Downloads" rows={s.downloads} />
            <AnalyticsCountTable title="Browsers" rows={s.browsers} />
          </div>
        </>
      )}
    </section>
  );
}
