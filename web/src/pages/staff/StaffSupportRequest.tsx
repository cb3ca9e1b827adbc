import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { useSignedIn } from '../../session/session';
import { MessageThread } from '../access/MessageThread';
import { staffKey, useStaffRequest } from './queries';

/** A customer's request as staff see it: take it, talk with the customer, work under its grant, close it. */
export function StaffSupportRequest() {
  const { user } = useSignedIn();
  const { supportId = '' } = useParams();
  const request = useStaffRequest(supportId);
  const queryClient = useQueryClient();
  const [closing, setClosing] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: staffKey() });
  const take = useMutation({
    mutationFn: () =>
      call(api.POST('/api/staff/support-requests/{supportId}/take', { params: { path: { supportId } } })),
    onSuccess: refresh,
  });
  const close = useMutation({
    mutationFn: () =>
      call(api.POST('/api/staff/support-requests/{supportId}/close', { params: { path: { supportId } } })),
    onSuccess: async () => {
      setClosing(false);
      await refresh();
    },
  });
  const reply = async (body: string) => {
    await call(
      api.POST('/api/staff/support-requests/{supportId}/messages', { params: { path: { supportId } }, body: { body } }),
    );
    await refresh();
  };
  if (request.isPending) return <Loading label="Loading the request" />;
  const r = request.data;
  if (!r)
    return (
      <>
        <PageHeader title="Support request" />
        <ErrorNotice
          error={request.error}
          title="The request could not be loaded"
          onRetry={() => void request.refetch()}
        />
      </>
    );
  const open = r.status === 'open';
  const mine = r.staff?.id === user.id;
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff/queue">Work queue</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={r.subject}
        badge={
          <Badge tone={open ? (r.staff ? 'warn' : 'info') : 'neutral'}>
            {open ? (r.staff ? `Taken by ${mine ? 'you' : r.staff.name}` : 'Waiting') : 'Closed'}
          </Badge>
        }
        actions={
          <>
            {open && !r.staff && (
              <Button variant="primary" busy={take.isPending} busyLabel="Taking" onClick={() => take.mutate()}>
                Take the request
              </Button>
            )}
            {open && mine && r.grantId && (
              <Link className="btn btn-primary" to={`/staff/grants/${r.grantId}`}>
                Work under the grant
              </Link>
            )}
            {open && mine && (
              <Button variant="danger" onClick={() => setClosing(true)}>
                Close the request
              </Button>
            )}
          </>
        }
      />
      <ErrorNotice error={take.error} title="The request was not taken" />
      <div className="card section">
        <KeyValues
          items={[
            ['Customer', r.orgName],
            ['Kind', r.kind === 'initial_setup' ? 'Initial setup' : 'Support'],
            ['Servers', r.serverIds.length],
            ['Time allowed', `${r.durationMinutes} minutes`],
            ['Grant', r.grantId ? <span className="mono">{r.grantId}</span> : '—'],
            ['Opened', <Time iso={r.createdAt} />],
          ]}
        />
      </div>
      <MessageThread messages={r.messages ?? []} selfId={user.id} onReply={open && mine ? reply : null} />
      <ConfirmDialog
        open={closing}
        title={`Close “${r.subject}”?`}
        confirmText={r.subject}
        confirmLabel="Close the request"
        busy={close.isPending}
        error={close.error}
        onConfirm={() => close.mutate()}
        onClose={() => {
          setClosing(false);
          close.reset();
        }}
      >
        <p>The request’s grant ends with it, and with it your access to the customer’s servers.</p>
      </ConfirmDialog>
    </>
  );
}
