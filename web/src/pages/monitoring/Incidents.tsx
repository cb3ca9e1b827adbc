import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Ago } from '../../components/Ago';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/Field';
import { ErrorNotice, LiveStatus } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServers } from '../servers/queries';
import { useFindings, useIncidents } from './queries';

type Incident = components['schemas']['Incident'];
type Finding = components['schemas']['Finding'];
type Show = 'active' | 'closed' | 'all';

const STATUS_TONE: Record<Incident['status'], Tone> = { open: 'danger', acknowledged: 'warn', closed: 'neutral' };
const STATUS_LABEL: Record<Incident['status'], string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

/** A finding's evidence as readable lines: each key with its value (lists and records as JSON). */
function Evidence({ evidence }: { evidence: Finding['evidence'] }) {
  const entries = Object.entries(evidence);
  if (entries.length === 0) return null;
  return (
    <dl className="evidence">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt className="visually-hidden">{k}</dt>
          <dd>
            {k}: {typeof v === 'string' ? v : JSON.stringify(v)}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function IncidentCard({
  incident,
  findings,
  names,
}: {
  incident: Incident;
  findings: readonly Finding[];
  names: Map<string, string>;
}) {
  const org = useOrg();
  const queryClient = useQueryClient();
  const [said, setSaid] = useState('');
  const [asking, setAsking] = useState(false);
  const path = { params: { path: { orgId: org.id, incidentId: incident.id } } };
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'incidents') });
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'findings') });
  };
  const act = useMutation({
    mutationFn: (action: 'acknowledge' | 'close' | 'grant') =>
      call(
        action === 'acknowledge'
          ? api.POST('/api/orgs/{orgId}/incidents/{incidentId}/acknowledge', path)
          : action === 'close'
            ? api.POST('/api/orgs/{orgId}/incidents/{incidentId}/close', path)
            : api.POST('/api/orgs/{orgId}/incidents/{incidentId}/grant', path),
      ),
    onSuccess: async (i, action) => {
      setAsking(false);
      setSaid(
        action === 'acknowledge'
          ? `Incident “${i.title}” acknowledged.`
          : action === 'close'
            ? `Incident “${i.title}” closed.`
            : i.grantId
              ? 'The security team may now look; the grant is listed under Access grants.'
              : `No grant was opened: ${i.grantNote ?? 'see the incident'}.`,
      );
      await refresh();
    },
  });
  const owner = org.role === 'owner';
  const headingId = `incident-${incident.id}`;
  return (
    <li className={`card alert-card${incident.status === 'closed' ? ' resolved' : ''}`}>
      <div className="alert-head">
        <Badge tone={incident.status === 'closed' ? 'neutral' : alertTone(incident.severity)}>
          {incident.severity}
        </Badge>
        <Badge tone={STATUS_TONE[incident.status]}>{STATUS_LABEL[incident.status]}</Badge>
        <h2 className="alert-title" id={headingId}>
          {incident.title}
        </h2>
      </div>
      <p className="muted small">
        Opened <Ago iso={incident.openedAt} /> · {incident.findingCount} finding{incident.findingCount === 1 ? '' : 's'}
        {incident.serverIds.map((id) => (
          <span key={id}>
            {' '}
            · <Link to={`/orgs/${org.id}/servers/${id}`}>{names.get(id) ?? 'a server'}</Link>
          </span>
        ))}
        {incident.acknowledgedAt && (
          <>
            {' '}
            · acknowledged <Time iso={incident.acknowledgedAt} />
          </>
        )}
        {incident.closedAt && (
          <>
            {' '}
            · closed <Time iso={incident.closedAt} />
          </>
        )}
      </p>
      {incident.grantId && (
        <p>
          The security team may look: <Link to={`/orgs/${org.id}/grants`}>grant {incident.grantId}</Link>.
        </p>
      )}
      {!incident.grantId && incident.grantNote && <p className="muted">{incident.grantNote}</p>}
      {findings.length > 0 && (
        <details>
          <summary>Findings and evidence</summary>
          <ul className="plain-list">
            {findings.map((f) => (
              <li key={f.id}>
                <strong>{f.title}</strong>{' '}
                <span className="muted small">
                  {f.serverName} · {f.occurrences} time{f.occurrences === 1 ? '' : 's'}, last{' '}
                  <Time iso={f.lastSeenAt} />
                </span>
                <Evidence evidence={f.evidence} />
              </li>
            ))}
          </ul>
        </details>
      )}
      {owner && incident.status !== 'closed' && (
        <div className="row">
          {incident.status === 'open' && (
            <Button
              onClick={() => act.mutate('acknowledge')}
              busy={act.isPending && act.variables === 'acknowledge'}
              busyLabel="Acknowledging"
              aria-describedby={headingId}
            >
              Acknowledge
            </Button>
          )}
          <Button
            onClick={() => act.mutate('close')}
            busy={act.isPending && act.variables === 'close'}
            busyLabel="Closing"
            aria-describedby={headingId}
          >
            Close
          </Button>
          {!incident.grantId && (
            <Button
              variant="ghost"
              onClick={() => {
                act.reset();
                setAsking(true);
              }}
              aria-describedby={headingId}
            >
              Ask the security team to look
            </Button>
          )}
        </div>
      )}
      <ErrorNotice error={asking ? null : act.error} title="That did not work" />
      <LiveStatus message={said} />
      <Dialog open={asking} title="Ask the security team to look?" onClose={() => setAsking(false)}>
        <div className="stack">
          <div className="dialog-body">
            <p>
              Steward opens a suspicious-activity grant for the servers of “{incident.title}”. Security staff may then
              log in to them to investigate; every session is recorded, you are told, and you can revoke the grant under
              Access grants at any time.
            </p>
          </div>
          <ErrorNotice error={act.error} />
          <div className="dialog-actions">
            <Button onClick={() => setAsking(false)}>Cancel</Button>
            <Button variant="primary" onClick={() => act.mutate('grant')} busy={act.isPending} busyLabel="Asking">
              Ask them to look
            </Button>
          </div>
        </div>
      </Dialog>
    </li>
  );
}

/** An owner acknowledges a finding (seen, still open) or closes it (dealt with); the outcome is announced. */
function FindingActions({ finding, onDone }: { finding: Finding; onDone: (message: string) => void }) {
  const org = useOrg();
  const queryClient = useQueryClient();
  const path = { params: { path: { orgId: org.id, findingId: finding.id } } };
  const act = useMutation({
    mutationFn: (action: 'acknowledge' | 'close') =>
      call(
        action === 'acknowledge'
          ? api.POST('/api/orgs/{orgId}/findings/{findingId}/acknowledge', path)
          : api.POST('/api/orgs/{orgId}/findings/{findingId}/close', path),
      ),
    onSuccess: async (f, action) => {
      onDone(`Finding “${f.title}” ${action === 'acknowledge' ? 'acknowledged' : 'closed'}.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'findings') });
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'incidents') });
    },
  });
  if (finding.status === 'closed') return null;
  return (
    <div className="row">
      {finding.status === 'open' && (
        <Button
          variant="ghost"
          onClick={() => act.mutate('acknowledge')}
          busy={act.isPending && act.variables === 'acknowledge'}
          busyLabel="Acknowledging"
          aria-label={`Acknowledge finding ${finding.title}`}
        >
          Acknowledge
        </Button>
      )}
      <Button
        variant="ghost"
        onClick={() => act.mutate('close')}
        busy={act.isPending && act.variables === 'close'}
        busyLabel="Closing"
        aria-label={`Close finding ${finding.title}`}
      >
        Close
      </Button>
      <ErrorNotice error={act.error} title="The finding was not changed" />
    </div>
  );
}

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
