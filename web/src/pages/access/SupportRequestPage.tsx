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
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { MessageThread } from './MessageThread';
import { useServerNames, useSupportRequest } from './queries';
import { DURATIONS } from './words';

const durationLabel = (minutes: number) => DURATIONS.find((d) => d.minutes === minutes)?.label ?? `${minutes} minutes`;

/** One support request: what was asked, who took it, the conversation, and closing it (which ends its grant). */
export function SupportRequestPage() {
  const org = useOrg();
  const { user } = useSignedIn();
  const { supportId = '' } = useParams();
  const request = useSupportRequest(org.id, supportId);
  const names = useServerNames(org.id);
  const queryClient = useQueryClient();
  const [closing, setClosing] = useState(false);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'support') });
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'grants') });
  };
  const close = useMutation({
    mutationFn: () =>
      call(
        api.POST('/api/orgs/{orgId}/support-requests/{supportId}/close', {
          params: { path: { orgId: org.id, supportId } },
        }),
      ),
    onSuccess: async () => {
      setClosing(false);
      await refresh();
    },
  });
  const reply = async (body: string) => {
    await call(
      api.POST('/api/orgs/{orgId}/support-requests/{supportId}/messages', {
        params: { path: { orgId: org.id, supportId } },
        body: { body },
      }),
    );
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'support', supportId) });
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
  return (
    <>
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/support`}>Support requests</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={r.subject}
        badge={
          <Badge tone={open ? (r.staff ? 'warn' : 'info') : 'neutral'}>
            {open ? (r.staff ? 'Taken' : 'Waiting for staff') : 'Closed'}
          </Badge>
        }
        actions={
          open ? (
            <Button variant="danger" onClick={() => setClosing(true)}>
              Close the request
            </Button>
          ) : undefined
        }
      />
      <div className="card section">
        <KeyValues
          items={[
            ['Kind', r.kind === 'initial_setup' ? 'Initial setup' : 'Support'],
            ['Staff member', r.staff?.name ?? 'Not taken yet'],
            [
              'Servers',
              r.serverIds.length === 0 ? 'None' : r.serverIds.map((id) => names.data?.get(id) ?? id).join(', '),
            ],
            ['Time allowed', durationLabel(r.durationMinutes)],
            [
              'Grant',
              r.grantId ? (
                <Link to={`/orgs/${org.id}/grants#${r.grantId}`} className="mono">
                  {r.grantId}
                </Link>
              ) : (
                'None'
              ),
            ],
            ['Opened', <Time iso={r.createdAt} />],
            ['Closed', <Time iso={r.closedAt} />],
          ]}
        />
      </div>
      <MessageThread messages={r.messages ?? []} selfId={user.id} onReply={open ? reply : null} />
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
        <p>
          The request’s grant ends with it: staff lose access to its servers and any terminal session under it closes
          within seconds.
        </p>
      </ConfirmDialog>
    </>
  );
}
