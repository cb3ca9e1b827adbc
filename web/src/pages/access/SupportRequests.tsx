import { Link } from 'react-router';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import { useServers } from '../servers/queries';
import { useOrg } from '../org/OrgScope';
import { OpenSupportRequest } from './OpenSupportRequest';
import { useSupportRequests } from './queries';

/** Requests for help: each one opens a time-limited grant the customer can see and end. */
export function SupportRequests() {
  const org = useOrg();
  const requests = useSupportRequests(org.id);
  const servers = useServers(org.id);
  return (
    <>
      <PageHeader
        title="Support requests"
        description="Ask the operator’s staff for help. A request opens a time-limited grant you can see, narrow and end; staff reach nothing without one."
      />
      {servers.data && <OpenSupportRequest orgId={org.id} servers={servers.data} />}
      <section className="section" aria-labelledby="your-requests">
        <h2 id="your-requests">Your requests</h2>
        <QueryTable
          query={requests}
          loading="Loading support requests"
          failed="Support requests could not be loaded"
          caption="Support requests"
          rowKey={(r) => r.id}
          empty="No requests yet."
          columns={[
            { header: 'Subject', rowHeader: true, cell: (r) => <Link to={r.id}>{r.subject}</Link> },
            {
              header: 'Status',
              cell: (r) => (
                <Badge tone={r.status === 'open' ? (r.staff ? 'warn' : 'info') : 'neutral'}>
                  {r.status === 'closed' ? 'Closed' : r.staff ? 'Taken' : 'Waiting for staff'}
                </Badge>
              ),
            },
            { header: 'Staff member', cell: (r) => r.staff?.name ?? '—' },
            { header: 'Servers', cell: (r) => r.serverIds.length },
            { header: 'Opened', cell: (r) => <Ago iso={r.createdAt} /> },
          ]}
        />
      </section>
    </>
  );
}
