import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { Grant } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { AccessPolicy } from './AccessPolicy';
import { NarrowGrantDialog } from './NarrowGrantDialog';
import { useGrants, useServerNames } from './queries';
import { useNow } from './useNow';
import { ACTION_LABELS, grantName, OPEN_STATES, REASON_LABELS, remaining, STATE_LOOK, stateLook } from './words';

/** Every grant that let (or asks to let) staff reach the organisation's resources; open ones can be narrowed or revoked. */
export function Grants() {
  const org = useOrg();
  const grants = useGrants(org.id);
  const names = useServerNames(org.id);
  const queryClient = useQueryClient();
  const now = useNow();
  const [narrowing, setNarrowing] = useState<Grant | null>(null);
  const [revoking, setRevoking] = useState<Grant | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const serverName = (id: string) => names.data?.get(id) ?? id;
  const revoke = useMutation({
    mutationFn: (grant: Grant) =>
      call(
        api.POST('/api/orgs/{orgId}/grants/{grantId}/revoke', {
          params: { path: { orgId: org.id, grantId: grant.id } },
        }),
      ),
    onSuccess: async (grant) => {
      setRevoking(null);
      setAnnouncement(`Grant ${grant.id} was revoked. Staff sessions under it end within seconds.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'grants') });
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'support') });
    },
  });
  const decide = useMutation({
    mutationFn: ({ grant, approve }: { grant: Grant; approve: boolean }) =>
      call(
        api.POST(approve ? '/api/orgs/{orgId}/grants/{grantId}/approve' : '/api/orgs/{orgId}/grants/{grantId}/deny', {
          params: { path: { orgId: org.id, grantId: grant.id } },
        }),
      ),
    onSuccess: async (grant) => {
      setAnnouncement(`Grant ${grant.id} is now ${STATE_LOOK[grant.state].label.toLowerCase()}.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'grants') });
    },
  });
  const all = grants.data ?? [];
  const open = all.filter((g) => OPEN_STATES.includes(g.state));
  const past = all.filter((g) => !OPEN_STATES.includes(g.state));
  const common: Column<Grant>[] = [
    {
      header: 'Grant',
      rowHeader: true,
      cell: (g) => (
        <span id={g.id}>
          {REASON_LABELS[g.reason]}
          <br />
          <span className="mono small id-text">{g.id}</span>
          <br />
          <Link className="small" to={`/orgs/${org.id}/activity?grant=${g.id}`}>
            Activity<span className="visually-hidden"> under grant {g.id}</span>
          </Link>
        </span>
      ),
    },
    {
      header: 'Why',
      cell: (g) => (
        <>
          {g.justification}
          {g.supportRequestId && (
            <>
              {' '}
              · <Link to={`/orgs/${org.id}/support/${g.supportRequestId}`}>the request</Link>
            </>
          )}
          {g.incidentId && <span className="muted small"> · incident {g.incidentId}</span>}
        </>
      ),
    },
    { header: 'Staff member', cell: (g) => g.staff?.name ?? <span className="muted">Not taken yet</span> },
    {
      header: 'Scope',
      cell: (g) => (
        <>
          {g.scope.serverIds.length === 0 ? 'No servers' : g.scope.serverIds.map(serverName).join(', ')}
          <br />
          <span className="muted small">{g.scope.actions.map((a) => ACTION_LABELS[a]).join(' · ')}</span>
        </>
      ),
    },
    { header: 'State', cell: (g) => <Badge tone={stateLook(g).tone}>{stateLook(g).label}</Badge> },
  ];
  const openColumns: Column<Grant>[] = [
    ...common,
    {
      header: 'Time',
      cell: (g) =>
        g.state === 'active' ? (
          <span>
            <span className="nowrap">{remaining(g.endsAt, now)}</span>
            <br />
            <span className="muted small">
              until <Time iso={g.endsAt} />
            </span>
          </span>
        ) : (
          <span className="muted small">{g.durationMinutes} minutes once taken</span>
        ),
    },
    {
      header: 'Actions',
      className: 'actions',
      cell: (g) => (
        <>
          {g.state === 'requested' && g.approval === 'customer' && (
            <>
              <Button variant="primary" onClick={() => decide.mutate({ grant: g, approve: true })}>
                Approve<span className="visually-hidden"> grant {g.id}</span>
              </Button>
              <Button onClick={() => decide.mutate({ grant: g, approve: false })}>
                Deny<span className="visually-hidden"> grant {g.id}</span>
              </Button>
            </>
          )}
          <Button onClick={() => setNarrowing(g)}>
            Narrow<span className="visually-hidden"> grant {g.id}</span>
          </Button>
          <Button variant="danger" onClick={() => setRevoking(g)}>
            Revoke<span className="visually-hidden"> grant {g.id}</span>
          </Button>
        </>
      ),
    },
  ];
  const pastColumns: Column<Grant>[] = [
    ...common,
    {
      header: 'Ended',
      cell: (g) => (
        <>
          <Time iso={g.endedAt ?? g.endsAt} />
          {g.endReason && (
            <>
              <br />
              <span className="muted small">{g.endReason.replace(/_/g, ' ')}</span>
            </>
          )}
        </>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title="Access grants"
        description="Every time the operator’s staff may reach your servers: the reason, the scope, the time limit and its state. Revoking ends live sessions within seconds."
      />
      <LiveStatus message={announcement} />
      <ErrorNotice error={decide.error} title="The decision was not saved" />
      <QueryState query={grants} loading="Loading grants" failed="Grants could not be loaded">
        {() => (
          <>
            <section className="section" aria-labelledby="open-grants">
              <h2 id="open-grants">Active and waiting</h2>
              <SimpleTable
                caption="Active and waiting grants"
                columns={openColumns}
                rows={open}
                rowKey={(g) => g.id}
                empty="No staff member can reach your resources now."
              />
            </section>
            <section className="section" aria-labelledby="past-grants">
              <h2 id="past-grants">Past</h2>
              <SimpleTable
                caption="Past grants"
                columns={pastColumns}
                rows={past}
                rowKey={(g) => g.id}
                empty="No past grants."
              />
            </section>
          </>
        )}
      </QueryState>
      <AccessPolicy orgId={org.id} canChange={org.role === 'owner'} />
      <NarrowGrantDialog
        orgId={org.id}
        grant={narrowing}
        serverName={serverName}
        onClose={(narrowed) => {
          setNarrowing(null);
          if (narrowed) setAnnouncement(`Grant ${narrowed.id} was narrowed.`);
        }}
      />
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke grant ${revoking?.id ?? ''}?`}
        confirmText={revoking ? grantName(revoking) : ''}
        confirmLabel="Revoke the grant"
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>
          {revoking?.staff ? `${revoking.staff.name} loses access at once` : 'No staff member can take it any more'};
          any terminal session under it ends within seconds. What was done under it stays in the timeline.
        </p>
      </ConfirmDialog>
    </>
  );
}
