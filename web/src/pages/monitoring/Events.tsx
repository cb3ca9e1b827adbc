import { Badge } from '../../components/Badge';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
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
      <QueryTable
        query={events}
        loading="Loading recent alerts"
        failed="Recent alerts could not be loaded"
        caption="Alerts raised by the rules, newest first"
        columns={columns}
        rowKey={(e) => e.id}
        empty="No rule has fired."
      />
    </section>
  );
}
