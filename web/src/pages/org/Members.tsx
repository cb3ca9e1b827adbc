import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { Member, OrgRole } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { refreshSession, useSignedIn } from '../../session/session';
import { MemberRole } from './MemberRole';
import { useOrg } from './OrgScope';
import { orgKey, useMembers } from './queries';

type Pending = { kind: 'remove'; member: Member } | { kind: 'demote'; member: Member };

/** Members and their roles. Removing someone, or taking away ownership, is confirmed by typing their e-mail. */
export function Members() {
  const org = useOrg();
  const me = useSignedIn().user;
  const members = useMembers(org.id);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [pending, setPending] = useState<Pending | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const params = (memberId: string) => ({ params: { path: { orgId: org.id, memberId } } });

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: Member; role: OrgRole }) =>
      call(api.PATCH('/api/orgs/{orgId}/members/{memberId}', { ...params(member.id), body: { role } })),
    onSuccess: async (_data, { member, role }) => {
      setPending(null);
      // Said once the list shows it: the status and the role on screen never disagree.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'members') }),
        member.userId === me.id ? refreshSession(queryClient) : undefined,
      ]);
      setAnnouncement(`${member.name} is now ${role === 'owner' ? 'an owner' : 'a member'}.`);
    },
  });
  const remove = useMutation({
    mutationFn: (member: Member) => call(api.DELETE('/api/orgs/{orgId}/members/{memberId}', params(member.id))),
    onSuccess: async (_data, member) => {
      setPending(null);
      if (member.userId === me.id) {
        await refreshSession(queryClient);
        navigate('/', { replace: true });
        return;
      }
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'members') });
      setAnnouncement(`${member.name} was removed from ${org.name}.`);
    },
  });

  const onRoleChange = (member: Member, role: OrgRole) => {
    if (role === 'member' && member.role === 'owner') setPending({ kind: 'demote', member });
    else changeRole.mutate({ member, role });
  };
  const close = () => {
    setPending(null);
    changeRole.reset();
    remove.reset();
  };
  const leaving = pending?.member.userId === me.id;
  const canManage = org.role === 'owner';
  const columns: Column<Member>[] = [
    {
      header: 'Name',
      rowHeader: true,
      cell: (member) => (
        <>
          {member.name} {member.userId === me.id && <Badge>You</Badge>}
        </>
      ),
    },
    { header: 'E-mail', cell: (member) => member.email },
    {
      header: 'Role',
      cell: (member) => (
        <MemberRole
          member={member}
          canManage={canManage}
          busy={changeRole.isPending && changeRole.variables?.member.id === member.id}
          onRoleChange={onRoleChange}
        />
      ),
    },
    { header: 'Joined', cell: (member) => <Time iso={member.joinedAt} /> },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (member) => {
        const isMe = member.userId === me.id;
        return (
          (canManage || isMe) && (
            <Button variant="danger" onClick={() => setPending({ kind: 'remove', member })}>
              {isMe ? 'Leave' : 'Remove'}
              <span className="visually-hidden">{isMe ? ' this organisation' : ` ${member.name}`}</span>
            </Button>
          )
        );
      },
    },
  ];

  return (
    <>
      <PageHeader
        title="Members"
        description={
          org.role === 'owner'
            ? 'Everyone in this organisation. Owners manage members, invitations and the organisation’s name.'
            : 'Everyone in this organisation. Only owners change roles or remove members; you can leave.'
        }
      />
      <LiveStatus message={announcement} />
      {!pending && <ErrorNotice error={changeRole.error} title="The role was not changed" />}
      <QueryTable
        query={members}
        loading="Loading members"
        failed="Members could not be loaded"
        caption={`Members of ${org.name}`}
        columns={columns}
        rowKey={(member) => member.id}
        empty={<EmptyState title="No members" />}
      />
      <ConfirmDialog
        open={pending?.kind === 'remove'}
        title={leaving ? `Leave ${org.name}?` : `Remove ${pending?.member.name ?? ''}?`}
        confirmText={pending?.member.email ?? ''}
        confirmLabel={leaving ? 'Leave organisation' : 'Remove member'}
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => pending && remove.mutate(pending.member)}
        onClose={close}
      >
        <p>
          {leaving
            ? 'You will lose access to this organisation’s credentials, jobs and audit log until someone invites you again.'
            : 'They lose access to this organisation at once. Their account stays; they can be invited again.'}
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'demote'}
        title={`Make ${pending?.member.name ?? ''} a member?`}
        confirmText={pending?.member.email ?? ''}
        confirmLabel="Remove ownership"
        busy={changeRole.isPending}
        error={changeRole.error}
        onConfirm={() => pending && changeRole.mutate({ member: pending.member, role: 'member' })}
        onClose={close}
      >
        <p>
          {leaving
            ? 'You will no longer be able to manage members, invitations or the organisation’s name.'
            : 'They will no longer be able to manage members, invitations or the organisation’s name.'}
        </p>
      </ConfirmDialog>
    </>
  );
}
