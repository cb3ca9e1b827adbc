import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { Invitation } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
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

  const columns: Column<Invitation>[] = [
    { header: 'E-mail', rowHeader: true, cell: (invitation) => invitation.email },
    {
      header: 'Role',
      cell: (invitation) => <Badge>{invitation.role === 'owner' ? 'Owner' : 'Member'}</Badge>,
    },
    { header: 'Sent', cell: (invitation) => <Time iso={invitation.createdAt} /> },
    { header: 'Expires', cell: (invitation) => <Time iso={invitation.expiresAt} /> },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (invitation) => (
        <Button variant="danger" onClick={() => setWithdrawing(invitation)}>
          Withdraw<span className="visually-hidden"> the invitation for {invitation.email}</span>
        </Button>
      ),
    },
  ];

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
        <QueryTable
          query={invitations}
          loading="Loading invitations"
          failed="Invitations could not be loaded"
          caption="Open invitations"
          columns={columns}
          rowKey={(invitation) => invitation.id}
          empty={
            <EmptyState title="No open invitations">
              Invitations you send appear here until they are accepted, withdrawn or expire.
            </EmptyState>
          }
        />
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
