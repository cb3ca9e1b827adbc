import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useServers } from '../servers/queries';
import { FindingActions } from './FindingActions';
import { IncidentCard } from './IncidentCard';
import { STATUS_LABEL, type Finding } from './model';
import { useFindings, useIncidents } from './queries';

type Show = 'active' | 'closed' | 'all';

/** Suspicious activity Steward detected, grouped into incidents, with the findings behind each. */
export function Incidents() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const raw = params.get('show');
  const show: Show = raw === 'closed' || raw === 'all' ? raw : 'active';
  const incidents = useIncidents(org.id, show);
  const findings = useFindings(org.id, 'all');
  const [said, setSaid] = useState('');
  const servers = useServers(org.id);
  const names = useMemo(() => new Map((servers.data ?? []).map((s) => [s.id, s.name])), [servers.data]);
  const byIncident = useMemo(() => {
    const map = new Map<string, Finding[]>();
    for (const f of findings.data ?? []) if (f.incidentId) map.set(f.incidentId, [...(map.get(f.incidentId) ?? []), f]);
    return map;
  }, [findings.data]);
  const columns: Column<Finding>[] = [
    { header: 'Finding', rowHeader: true, cell: (f) => f.title },
    {
      header: 'Severity',
      cell: (f) => <Badge tone={f.status === 'closed' ? 'neutral' : alertTone(f.severity)}>{f.severity}</Badge>,
    },
    { header: 'Status', cell: (f) => STATUS_LABEL[f.status] },
    {
      header: 'Server',
      cell: (f) =>
        f.serverId ? <Link to={`/orgs/${org.id}/servers/${f.serverId}`}>{f.serverName}</Link> : f.serverName,
    },
    {
      header: 'Seen',
      cell: (f) => (
        <>
          {f.occurrences}×, last <Time iso={f.lastSeenAt} />
        </>
      ),
    },
    ...(org.role === 'owner'
      ? [{ header: 'Actions', cell: (f: Finding) => <FindingActions finding={f} onDone={setSaid} /> }]
      : []),
  ];
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Suspicious activity Steward detected while monitoring: brute force, new administrators or keys, changed system binaries. You are mailed at once and decide whether security staff may look."
      />
      <form
        className="filters"
        role="search"
        aria-label="Filter incidents"
        onSubmit={(event) => event.preventDefault()}
      >
        <SelectField
          label="Show"
          value={show}
          onChange={(event) =>
            setParams(event.target.value === 'active' ? {} : { show: event.target.value }, { replace: true })
          }
        >
          <option value="active">Open and acknowledged</option>
          <option value="closed">Closed</option>
          <option value="all">All incidents</option>
        </SelectField>
      </form>
      <QueryState query={incidents} loading="Loading incidents" failed="Incidents could not be loaded" />
      {incidents.data?.length === 0 && (
        <EmptyState title={show === 'active' ? 'No open incidents' : 'No incidents'}>
          {show === 'active' ? 'Nothing suspicious needs you now.' : 'Nothing to show.'}
        </EmptyState>
      )}
      {incidents.data && incidents.data.length > 0 && (
        <ul className="alert-list" aria-label="Incidents">
          {incidents.data.map((i) => (
            <IncidentCard key={i.id} incident={i} findings={byIncident.get(i.id) ?? []} names={names} />
          ))}
        </ul>
      )}
      <section className="section" aria-labelledby="findings-title">
        <h2 id="findings-title">Findings</h2>
        <QueryTable
          query={findings}
          loading="Loading findings"
          failed="Findings could not be loaded"
          caption="Findings of the detection rules, newest first"
          columns={columns}
          rowKey={(f) => f.id}
          empty="No findings."
        />
        <LiveStatus message={said} />
      </section>
    </>
  );
}
