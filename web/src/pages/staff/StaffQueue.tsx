import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { Grant, SupportRequest } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import { SimpleTable } from '../../components/SimpleTable';
import { useSignedIn } from '../../session/session';
import { ACTION_LABELS, REASON_LABELS, stateLook } from '../access/words';
import { staffKey, useQueueGrants, useQueueRequests } from './queries';

const oldestFirst = <T extends { createdAt: string }>(rows: readonly T[]) =>
  [...rows].sort((a, b) => a.createdAt.localeCompare(b.createdAt));

/** Work waiting for staff: customers' support requests, and grants waiting for a staff member or a second approver. */
export function StaffQueue() {
  const { user } = useSignedIn();
  const requests = useQueueRequests();
  const grants = useQueueGrants();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [announcement, setAnnouncement] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: staffKey() });
  const take = useMutation({
    mutationFn: (request: SupportRequest) =>
      call(api.POST('/api/staff/support-requests/{supportId}/take', { params: { path: { supportId: request.id } } })),
    onSuccess: async (request) => {
      await refresh();
      navigate(`/staff/support/${request.id}`);
    },
  });
  const act = useMutation({
    mutationFn: ({ grant, what }: { grant: Grant; what: 'take' | 'approve' | 'deny' }) =>
      call(
        api.POST(
          what === 'take'
            ? '/api/staff/grants/{grantId}/take'
            : what === 'approve'
              ? '/api/staff/grants/{grantId}/approve'
              : '/api/staff/grants/{grantId}/deny',
          { params: { path: { grantId: grant.id } } },
        ),
      ),
    onSuccess: async (grant, { what }) => {
      setAnnouncement(`Grant ${grant.id}: ${what === 'take' ? 'taken' : what === 'approve' ? 'approved' : 'denied'}.`);
      await refresh();
      if (what === 'take') navigate(`/staff/grants/${grant.id}`);
    },
  });
  const mine = oldestFirst((requests.data ?? []).filter((r) => r.staff?.id === user.id));
  return (
    <>
      <PageHeader
        title="Work queue"
        description="Support requests and grants waiting for staff, oldest first. Taking a request binds its grant to you and starts its time."
      />
      <LiveStatus message={announcement} />
      <ErrorNotice error={take.error ?? act.error} title="That did not work" />
      <section className="section" aria-labelledby="waiting-requests">
        <h2 id="waiting-requests">Support requests waiting</h2>
        <QueryTable
          query={requests}
          loading="Loading support requests"
          failed="Support requests could not be loaded"
          select={(data) => oldestFirst(data.filter((r) => !r.staff))}
          caption="Support requests waiting for a staff member"
          rowKey={(r) => r.id}
          empty="No request is waiting."
          columns={[
            {
              header: 'Subject',
              rowHeader: true,
              cell: (r) => <Link to={`/staff/support/${r.id}`}>{r.subject}</Link>,
            },
            { header: 'Customer', cell: (r) => r.orgName },
            { header: 'Kind', cell: (r) => (r.kind === 'initial_setup' ? 'Initial setup' : 'Support') },
            { header: 'Servers', cell: (r) => r.serverIds.length },
            { header: 'Time allowed', cell: (r) => `${r.durationMinutes} minutes` },
            { header: 'Waiting since', cell: (r) => <Ago iso={r.createdAt} /> },
            {
              header: 'Actions',
              className: 'actions',
              cell: (r) => (
                <Button
                  variant="primary"
                  busy={take.isPending && take.variables?.id === r.id}
                  busyLabel="Taking"
                  onClick={() => take.mutate(r)}
                >
                  Take<span className="visually-hidden"> “{r.subject}”</span>
                </Button>
              ),
            },
          ]}
        />
      </section>
      <section className="section" aria-labelledby="my-requests">
        <h2 id="my-requests">Your open requests</h2>
        {requests.data && (
          <SimpleTable<SupportRequest>
            caption="Open requests you took"
            rows={mine}
            rowKey={(r) => r.id}
            empty="You hold no open request."
            columns={[
              {
                header: 'Subject',
                rowHeader: true,
                cell: (r) => <Link to={`/staff/support/${r.id}`}>{r.subject}</Link>,
              },
              { header: 'Customer', cell: (r) => r.orgName },
              {
                header: 'Grant',
                cell: (r) =>
                  r.grantId ? (
                    <Link className="mono small id-text" to={`/staff/grants/${r.grantId}`}>
                      {r.grantId}
                    </Link>
                  ) : (
                    '—'
                  ),
              },
              { header: 'Opened', cell: (r) => <Ago iso={r.createdAt} /> },
            ]}
          />
        )}
      </section>
      <section className="section" aria-labelledby="waiting-grants">
        <h2 id="waiting-grants">Grants waiting</h2>
        <QueryTable
          query={grants}
          loading="Loading grants"
          failed="Grants could not be loaded"
          // Requests' own grants are taken with the request; the grant list shows the others.
          select={(data) => oldestFirst(data.filter((g) => !g.supportRequestId))}
          caption="Grants waiting for a staff member or a second approver"
          rowKey={(g) => g.id}
          empty="No grant is waiting."
          columns={[
            {
              header: 'Grant',
              rowHeader: true,
              cell: (g) => (
                <>
                  <span className="mono small id-text">{g.id}</span>
                  <br />
                  {REASON_LABELS[g.reason]}
                </>
              ),
            },
            { header: 'Customer', cell: (g) => g.orgName },
            {
              header: 'Why',
              cell: (g) => (
                <>
                  {g.justification}
                  {g.incidentId && <span className="muted small"> · incident {g.incidentId}</span>}
                </>
              ),
            },
            {
              header: 'Scope',
              cell: (g) => (
                <>
                  {g.scope.serverIds.length} server{g.scope.serverIds.length === 1 ? '' : 's'}
                  <br />
                  <span className="muted small">{g.scope.actions.map((a) => ACTION_LABELS[a]).join(' · ')}</span>
                </>
              ),
            },
            {
              header: 'State',
              cell: (g) => <Badge tone={stateLook(g, 'staff').tone}>{stateLook(g, 'staff').label}</Badge>,
            },
            {
              header: 'Actions',
              className: 'actions',
              cell: (g) =>
                g.reason === 'suspicious_activity' && g.approval === 'second_staff' && g.staff?.id !== user.id ? (
                  <>
                    <Button variant="primary" onClick={() => act.mutate({ grant: g, what: 'approve' })}>
                      Approve<span className="visually-hidden"> grant {g.id}</span>
                    </Button>
                    <Button onClick={() => act.mutate({ grant: g, what: 'deny' })}>
                      Deny<span className="visually-hidden"> grant {g.id}</span>
                    </Button>
                  </>
                ) : (
                  <Button variant="primary" onClick={() => act.mutate({ grant: g, what: 'take' })}>
                    Take<span className="visually-hidden"> grant {g.id}</span>
                  </Button>
                ),
            },
          ]}
        />
      </section>
    </>
  );
}
