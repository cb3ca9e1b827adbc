import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { Instance } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { INSTANCE_STATE, LAUNCH_STAGE } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { PROVIDER_LABEL } from '../providers/ProviderAccounts';
import { useAccounts, useInstances, useLaunches } from '../providers/queries';
import { ImportDialog } from './ImportDialog';

type Action = 'start' | 'stop' | 'reboot';
const ACTION_WORDS: Record<Action, [string, string]> = {
  start: ['Start', 'starting'],
  stop: ['Stop', 'stopping'],
  reboot: ['Reboot', 'rebooting'],
};
const confirmName = (i: Instance) => i.name || i.id;

function Actions({
  instance,
  busy,
  onAction,
  onImport,
  onTerminate,
}: {
  instance: Instance;
  busy: boolean;
  onAction: (a: Action) => void;
  onImport: () => void;
  onTerminate: () => void;
}) {
  const label = instance.name || instance.id;
  const allowed: Action[] =
    instance.state === 'running' ? ['stop', 'reboot'] : instance.state === 'stopped' ? ['start'] : [];
  return (
    <>
      {allowed.map((a) => (
        <Button key={a} onClick={() => onAction(a)} disabled={busy}>
          {ACTION_WORDS[a][0]}
          <span className="visually-hidden"> {label}</span>
        </Button>
      ))}
      {!instance.server && instance.state === 'running' && (
        <Button onClick={onImport}>
          Import<span className="visually-hidden"> {label}</span>
        </Button>
      )}
      {instance.state !== 'terminated' && (
        <Button variant="danger" onClick={onTerminate}>
          Terminate<span className="visually-hidden"> {label}</span>
        </Button>
      )}
    </>
  );
}

/** Every instance in every connected account: state, addresses, its server; start, stop, reboot, import, terminate. */
export function Instances() {
  const org = useOrg();
  const queryClient = useQueryClient();
  const listing = useInstances(org.id);
  const accounts = useAccounts(org.id);
  const launches = useLaunches(org.id);
  const [said, setSaid] = useState('');
  const [importing, setImporting] = useState<Instance | null>(null);
  const [terminating, setTerminating] = useState<Instance | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKey(org.id) });
  const change = useMutation({
    mutationFn: ({ instance, action }: { instance: Instance; action: Action }) => {
      const params = {
        params: { path: { orgId: org.id, accountId: instance.accountId, instanceId: instance.id } },
        body: {},
      };
      if (action === 'start')
        return call(api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/start', params));
      if (action === 'stop')
        return call(api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/stop', params));
      return call(api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/reboot', params));
    },
    onSuccess: async (_r, { instance, action }) => {
      setSaid(`${instance.name || instance.id} is ${ACTION_WORDS[action][1]}.`);
      await refresh();
    },
  });
  const terminate = useMutation({
    mutationFn: (instance: Instance) =>
      call(
        api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/terminate', {
          params: { path: { orgId: org.id, accountId: instance.accountId, instanceId: instance.id } },
          body: { confirm: confirmName(instance) },
        }),
      ),
    onSuccess: async (_r, instance) => {
      setTerminating(null);
      setSaid(`${confirmName(instance)} is being terminated; its server was forgotten.`);
      await refresh();
    },
  });
  const unreadable = listing.data?.accounts.filter((a) => !a.ok) ?? [];
  const recent = (launches.data ?? []).slice(0, 5);
  const noAccounts = accounts.data?.length === 0;
  const columns: Column<Instance>[] = [
    {
      header: 'Instance',
      rowHeader: true,
      cell: (i) => (
        <>
          {i.name || <span className="muted">unnamed</span>}
          <span className="muted mono small party-id">{i.id}</span>
        </>
      ),
    },
    {
      header: 'Account',
      cell: (i) => (
        <>
          {i.accountName}
          <span className="muted small party-id">{PROVIDER_LABEL[i.provider]}</span>
        </>
      ),
    },
    {
      header: 'State',
      cell: (i) => {
        const look = INSTANCE_STATE[i.state];
        return (
          <>
            <Badge tone={look.tone}>{look.label}</Badge>
            {look.moving && <span className="spinner inline" aria-hidden="true" />}
            {!i.live && <span className="muted small party-id">last known</span>}
          </>
        );
      },
    },
    { header: 'Address', className: 'mono small', cell: (i) => i.publicIp ?? i.privateIp ?? '—' },
    { header: 'Size', className: 'small', cell: (i) => i.sizeId ?? '—' },
    {
      header: 'Server',
      cell: (i) =>
        i.server ? (
          <Link to={`/orgs/${org.id}/servers/${i.server.id}`}>
            Open<span className="visually-hidden"> the server of {i.name || i.id}</span>
          </Link>
        ) : (
          <span className="muted">not managed</span>
        ),
    },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (i) => (
        <Actions
          instance={i}
          busy={change.isPending && change.variables?.instance.id === i.id}
          onAction={(action) => change.mutate({ instance: i, action })}
          onImport={() => setImporting(i)}
          onTerminate={() => setTerminating(i)}
        />
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title="Cloud instances"
        description="Instances in every connected account, whether Steward launched them or not."
        actions={
          noAccounts ? undefined : (
            <Link className="btn btn-primary" to={`/orgs/${org.id}/instances/launch`}>
              Launch an instance
            </Link>
          )
        }
      />
      <LiveStatus message={said} />
      <ErrorNotice error={change.error} title="The instance did not change state" />
      {unreadable.map((a) => (
        <div key={a.accountId} className="notice notice-warn section" role="alert">
          <p className="notice-title">“{a.name}” could not be read just now</p>
          <p>{a.error?.message} Its instances are shown as the last status sync saw them.</p>
        </div>
      ))}
      {noAccounts && (
        <EmptyState title="No cloud account connected">
          <p>
            <Link to={`/orgs/${org.id}/providers`}>Connect a cloud account</Link> (or the sandbox clouds) to launch and
            manage instances.
          </p>
        </EmptyState>
      )}
      {recent.length > 0 && (
        <section className="section" aria-labelledby="recent-launches">
          <h2 id="recent-launches">Recent launches</h2>
          <ul className="plain-list">
            {recent.map((l) => {
              const look = LAUNCH_STAGE[l.stage];
              return (
                <li key={`${l.accountId}/${l.token}`}>
                  <Link to={`/orgs/${org.id}/instances/launches/${l.accountId}/${encodeURIComponent(l.token)}`}>
                    {l.name}
                  </Link>{' '}
                  <Badge tone={look.tone}>{look.label}</Badge>
                  {look.moving && <span className="spinner inline" aria-hidden="true" />}{' '}
                  <span className="muted small">
                    <Time iso={l.createdAt} />
                  </span>
                </li>
              );
            })}
          </ul>
        </section>
      )}
      <QueryTable
        query={listing}
        loading="Asking the providers for instances"
        failed="Instances could not be listed"
        select={(data) => data.instances}
        caption="Instances in the connected accounts"
        columns={columns}
        rowKey={(i) => `${i.accountId}/${i.id}`}
        empty={
          noAccounts ? null : (
            <EmptyState title="No instances in the connected accounts">
              Launch one, and it joins your servers when it runs.
            </EmptyState>
          )
        }
      />
      <ImportDialog orgId={org.id} instance={importing} onClose={() => setImporting(null)} />
      <ConfirmDialog
        open={terminating !== null}
        title={`Terminate “${terminating ? confirmName(terminating) : ''}”?`}
        confirmText={terminating ? confirmName(terminating) : ''}
        confirmLabel="Terminate instance"
        busy={terminate.isPending}
        error={terminate.error}
        onConfirm={() => terminating && terminate.mutate(terminating)}
        onClose={() => {
          setTerminating(null);
          terminate.reset();
        }}
      >
        <p>
          The provider destroys the instance and its disks. This cannot be undone.{' '}
          {terminating?.server ? 'Steward forgets its server, with its facts and history.' : ''}
        </p>
      </ConfirmDialog>
    </>
  );
}
