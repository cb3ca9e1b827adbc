import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import type { StaffInstanceAction as Action } from '../../api/types';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { SimpleTable } from '../../components/SimpleTable';
import { staffKey } from './queries';

type Instance = components['schemas']['Instance'];

const STATE_TONE: Record<string, Tone> = {
  running: 'ok',
  pending: 'info',
  stopping: 'warn',
  stopped: 'neutral',
  terminated: 'danger',
};

const DONE: Record<Action, string> = {
  start: 'Asked the provider to start',
  stop: 'Asked the provider to stop',
  reboot: 'Asked the provider to reboot',
};

/**
 * The customer's instances in the provider accounts the grant covers, with start, stop and reboot (the grant's
 * "start, stop or reboot instances" action). Stopping and rebooting interrupt the customer's service, so they are
 * confirmed by typing the instance's name; every call is in the customer's timeline and ledger.
 */
export function GrantInstances({ grantId }: { grantId: string }) {
  const queryClient = useQueryClient();
  const key = staffKey('grant', grantId, 'instances');
  const list = useQuery({
    queryKey: key,
    queryFn: async () =>
      (await call(api.GET('/api/staff/grants/{grantId}/instances', { params: { path: { grantId } } }))).instances,
    refetchInterval: 5000,
  });
  const [confirming, setConfirming] = useState<{ instance: Instance; action: Action } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: ({ instance, action }: { instance: Instance; action: Action }) =>
      call(
        api.POST('/api/staff/grants/{grantId}/provider-accounts/{accountId}/instances/{instanceId}/actions', {
          params: { path: { grantId, accountId: instance.accountId, instanceId: instance.id } },
          body: { action },
        }),
      ),
    onSuccess: async (_out, { instance, action }) => {
      setConfirming(null);
      setDone(`${DONE[action]} ${instance.name}.`);
      await queryClient.invalidateQueries({ queryKey: key });
    },
  });
  const run = (instance: Instance, action: Action) => {
    setDone(null);
    act.reset();
    if (action === 'start') act.mutate({ instance, action });
    else setConfirming({ instance, action });
  };
  return (
    <section className="section stack" aria-labelledby="work-instances">
      <h2 id="work-instances">Instances</h2>
      <ErrorNotice error={list.error} title="The instances could not be listed" onRetry={() => void list.refetch()} />
      <LiveStatus message={done ?? ''} />
      {!confirming && <ErrorNotice error={act.error} title="The provider did not accept that" />}
      {list.data && (
        <SimpleTable<Instance>
          caption="Instances the grant covers"
          rows={list.data}
          rowKey={(i) => `${i.accountId}/${i.id}`}
          empty="The accounts the grant covers have no instances."
          columns={[
            { header: 'Instance', rowHeader: true, cell: (i) => i.name || i.id },
            { header: 'Account', cell: (i) => i.accountName },
            {
              header: 'State',
              cell: (i) => (
                <>
                  <Badge tone={STATE_TONE[i.state] ?? 'neutral'}>{i.state}</Badge>
                  {!i.live && <span className="muted small"> (last known)</span>}
                </>
              ),
            },
            { header: 'Address', cell: (i) => <span className="mono small">{i.publicIp ?? '—'}</span> },
            {
              header: 'Actions',
              cell: (i) => (
                <div className="row">
                  {i.state === 'stopped' && (
                    <Button onClick={() => run(i, 'start')} busy={act.isPending && act.variables?.instance === i}>
                      Start<span className="visually-hidden"> {i.name}</span>
                    </Button>
                  )}
                  {i.state === 'running' && (
                    <>
                      <Button onClick={() => run(i, 'reboot')}>
                        Reboot<span className="visually-hidden"> {i.name}</span>
                      </Button>
                      <Button variant="danger" onClick={() => run(i, 'stop')}>
                        Stop<span className="visually-hidden"> {i.name}</span>
                      </Button>
                    </>
                  )}
                </div>
              ),
            },
          ]}
        />
      )}
      <ConfirmDialog
        open={confirming !== null}
        title={`${confirming?.action === 'stop' ? 'Stop' : 'Reboot'} ${confirming?.instance.name ?? ''}?`}
        confirmText={confirming?.instance.name || confirming?.instance.id || ''}
        confirmLabel={confirming?.action === 'stop' ? 'Stop the instance' : 'Reboot the instance'}
        busy={act.isPending}
        error={act.error}
        onConfirm={() => confirming && act.mutate(confirming)}
        onClose={() => setConfirming(null)}
      >
        <p>
          {confirming?.action === 'stop'
            ? 'The instance shuts down and stays off until someone starts it; whatever it serves is unavailable meanwhile.'
            : 'The instance restarts now; whatever it serves is unavailable for a moment.'}{' '}
          The customer sees this in their timeline.
        </p>
      </ConfirmDialog>
    </section>
  );
}
