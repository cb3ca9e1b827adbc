import { Badge } from '../../components/Badge';
import { QueryState } from '../../components/QueryState';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useAlertEvents } from './queries';

export function Events() {
  const org = useOrg();
  const events = useAlertEvents(org.id);
  type Event = NonNullable<typeof events.data>[number];
  const columns: Column<Event>[] = [
    { header: 'Alert', rowHeader: true, cell: (e) => e.title },
    {
      header: 'Severity',
      cell: (e) => <Badge tone={e.resolvedAt ? 'neutral' : alertTone(e.severity)}>{e.severity}</Badge>,
    },
    { header: 'Raised', cell: (e) => <Time iso={e.createdAt} /> },
    { header: 'Resolved', cell: (e) => (e.resolvedAt ? <Time iso={e.resolvedAt} /> : 'Open') },
  ];
  return (
    <section className="section" aria-labelledby="events-title">
      <h2 id="events-title">Recent alerts</h2>
      <QueryState query={events} loading="Loading recent alerts" failed="Recent alerts could not be loaded">
        {(data) => (
          <SimpleTable
            caption="Alerts raised by the rules, newest first"
            columns={columns}
            rows={data}
            rowKey={(e) => e.id}
            empty="No rule has fired."
          />
        )}
      </QueryState>
    </section>
  );
}
