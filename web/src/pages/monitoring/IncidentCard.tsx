import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { Ago } from '../../components/Ago';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { Evidence } from './Evidence';
import { STATUS_LABEL, type Finding, type Incident } from './model';

const STATUS_TONE: Record<Incident['status'], Tone> = { open: 'danger', acknowledged: 'warn', closed: 'neutral' };

/** One incident: its servers, findings and evidence; an owner acknowledges or closes it, or asks staff to look. */
export function IncidentCard({
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
