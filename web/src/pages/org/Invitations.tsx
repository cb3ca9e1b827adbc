import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { Invitation } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { InviteForm } from './InviteForm';
import { useOrg } from './OrgScope';
import { orgKey, useInvitations } from './queries';

/** Open invitations (owners only). A new invitation's link is shown once; Steward keeps only its hash. */
export function Invitations() {
  const org = useOrg();
  const isOwner = org.role === 'owner';
  const invitations = useInvitations(org.id, isOwner);
  const queryClient = useQueryClient();
  const [withdrawing, setWithdrawing] = useState<Invitation | null>(null);
  const withdraw = useMutation({
    mutationFn: (invitation: Invitation) =>
      call(
        api.DELETE('/api/orgs/{orgId}/invitations/{invitationId}', {
          params: { path: { orgId: org.id, invitationId: invitation.id } },
        }),
      ),
    onSuccess: async () => {
      setWithdrawing(null);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'invitations') });
    },
  });

  if (!isOwner) {
    return (
      <>
        <PageHeader title="Invitations" />
        <EmptyState title="Only owners invite people">
          Ask an owner of {org.name} to invite someone, or to make you an owner.
        </EmptyState>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title="Invitations"
        description="Invite people by e-mail address. They accept with the link while signed in with that address."
      />
      <InviteForm orgId={org.id} />
      <section aria-labelledby="open-invitations" className="section">
        <h2 id="open-invitations">Open invitations</h2>
        {invitations.isPending && <Loading label="Loading invitations" />}
        <ErrorNotice
          error={invitations.error}
          title="Invitations could not be loaded"
          onRetry={() => void invitations.refetch()}
        />
        {invitations.data?.length === 0 && (
          <EmptyState title="No open invitations">
            Invitations you send appear here until they are accepted, withdrawn or expire.
          </EmptyState>
        )}
        {invitations.data && invitations.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">E-mail</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.data.map((invitation) => (
                  <tr key={invitation.id}>
                    <th scope="row">{invitation.email}</th>
                    <td>
                      <Badge>{invitation.role === 'owner' ? 'Owner' : 'Member'}</Badge>
                    </td>
                    <td>
                      <Time iso={invitation.createdAt} />
                    </td>
                    <td>
                      <Time iso={invitation.expiresAt} />
                    </td>
                    <td className="actions">
                      <Button variant="danger" onClick={() => setWithdrawing(invitation)}>
                        Withdraw<span className="visually-hidden"> the invitation for {invitation.email}</span>
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <ConfirmDialog
        open={withdrawing !== null}
        title="Withdraw this invitation?"
        confirmText={withdrawing?.email ?? ''}
        confirmLabel="Withdraw invitation"
        busy={withdraw.isPending}
        error={withdraw.error}
        onConfirm={() => withdrawing && withdraw.mutate(withdrawing)}
        onClose={() => {
          setWithdrawing(null);
          withdraw.reset();
        }}
      >
        <p>The link stops working at once. You can invite the same address again later.</p>
      </ConfirmDialog>
    </>
  );
}
