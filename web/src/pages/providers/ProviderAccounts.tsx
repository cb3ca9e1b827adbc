import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import { isApiError } from '../../api/errors';
import type { ProviderAccount } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { ConnectAccount } from './ConnectAccount';
import { useAccounts } from './queries';
import { SandboxConnect } from './SandboxConnect';

export const PROVIDER_LABEL = { ec2: 'Amazon EC2', elastichosts: 'ElasticHosts' } as const;
const AUTH_LABEL = { access_key: 'Access key', assume_role: 'Assumed role', basic: 'User and API key' } as const;

/** Connected cloud accounts (credentials only as hints), connecting new ones, and removing them. */
export function ProviderAccounts() {
  const org = useOrg();
  const accounts = useAccounts(org.id);
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<ProviderAccount | null>(null);
  const [said, setSaid] = useState('');
  const remove = useMutation({
    mutationFn: ({ account, force }: { account: ProviderAccount; force: boolean }) =>
      call(
        api.DELETE('/api/orgs/{orgId}/provider-accounts/{accountId}', {
          params: { path: { orgId: org.id, accountId: account.id }, query: { force: force ? 'true' : 'false' } },
        }),
      ),
    onSuccess: async (_gone, { account }) => {
      setRemoving(null);
      setSaid(`“${account.name}” was removed and its sealed credentials destroyed.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id) });
    },
  });
  const inUse = isApiError(remove.error, 'STEWARD_PROVIDER_ACCOUNT_IN_USE');
  const columns: Column<ProviderAccount>[] = [
    {
      header: 'Account',
      rowHeader: true,
      cell: (a) => (
        <>
          {a.name}
          <span className="muted small party-id">
            {a.externalAccount ? `account ${a.externalAccount}` : ''}
            {a.region ? ` · ${a.region}` : ''}
            {a.endpoint ? ` · ${a.endpoint}` : ''}
          </span>
        </>
      ),
    },
    { header: 'Provider', cell: (a) => PROVIDER_LABEL[a.provider] },
    {
      header: 'Signs in with',
      cell: (a) => (
        <>
          {AUTH_LABEL[a.auth]} <code className="hint">{a.hint}</code>
        </>
      ),
    },
    {
      header: 'Status sync',
      cell: (a) =>
        a.lastSyncError ? (
          <>
            <Badge tone="warn">failing</Badge> <span className="error-text small party-id">{a.lastSyncError}</span>
          </>
        ) : a.lastSyncAt ? (
          <>
            synced <Ago iso={a.lastSyncAt} />
          </>
        ) : (
          <span className="muted">not yet</span>
        ),
    },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (a) => (
        <Button variant="danger" onClick={() => setRemoving(a)}>
          Remove<span className="visually-hidden"> {a.name}</span>
        </Button>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title="Cloud accounts"
        description="Your AWS and ElasticHosts accounts. Steward checks credentials with the provider when you connect them, seals them, and shows only a hint; every call it makes with them is in the credential-use ledger."
        actions={
          accounts.data && accounts.data.length > 0 ? (
            <Link className="btn btn-primary" to={`/orgs/${org.id}/instances/launch`}>
              Launch an instance
            </Link>
          ) : undefined
        }
      />
      <section className="section" aria-labelledby="connected">
        <h2 id="connected">Connected</h2>
        <LiveStatus message={said} />
        <QueryTable
          query={accounts}
          loading="Loading accounts"
          failed="Accounts could not be loaded"
          caption="Connected cloud accounts"
          columns={columns}
          rowKey={(a) => a.id}
          empty={
            <EmptyState title="No cloud account yet">
              Connect one below, or the sandbox clouds to try Steward on this machine.
            </EmptyState>
          }
        />
      </section>
      <div className="grid-2 section align-start">
        <ConnectAccount orgId={org.id} />
        <SandboxConnect orgId={org.id} />
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={`Remove “${removing?.name ?? ''}”?`}
        confirmText={removing?.name ?? ''}
        confirmLabel={inUse ? 'Remove anyway' : 'Remove account'}
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => removing && remove.mutate({ account: removing, force: inUse })}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      >
        <p>
          Its sealed credentials are destroyed and Steward stops syncing it. Instances keep running at the provider.
        </p>
        {inUse && (
          <p>
            Servers came from this account. Removing it anyway leaves them in your servers list, but Steward can no
            longer start, stop or terminate their instances.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
