import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link, Outlet, useOutletContext, useParams } from 'react-router';
import type { Server } from '../../api/types';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { SERVER_STATUS } from '../../components/status';
import { SubNav } from '../../components/SubNav';
import { isApiError } from '../../api/errors';
import { useOrg } from '../org/OrgScope';
import { HostKeyBlocked } from './HostKeyBlocked';
import { orgKey } from '../org/queries';
import { useFacts, useFoundSecrets, useServer } from './queries';
import { SERVER_TABS } from './tabs';

export interface ServerContext {
  readonly server: Server;
  readonly base: string;
}

/** A server's page: its name and status, the host-key alarm when blocked, and its sections. */
export function ServerLayout() {
  const org = useOrg();
  const { serverId = '' } = useParams();
  const server = useServer(org.id, serverId);
  const secrets = useFoundSecrets(org.id, serverId);
  const queryClient = useQueryClient();
  // Until the first discovery lands, look for it every two seconds; each new snapshot refreshes what hangs off it.
  const status = server.data?.status;
  const facts = useFacts(org.id, server.data ? serverId : null, status === 'ready' || status === 'enrolling');
  const snapshotId = facts.data?.snapshotId;
  useEffect(() => {
    if (!snapshotId) return;
    void queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers', serverId, 'snapshots') });
    void queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers', serverId, 'found-secrets') });
  }, [snapshotId, org.id, serverId, queryClient]);
  // A status change (blocked, trusted again) raises or resolves alerts: read them again.
  useEffect(() => {
    if (status) void queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'alerts') });
  }, [status, org.id, queryClient]);
  const base = `/orgs/${org.id}/servers/${serverId}`;
  if (server.isPending) return <Loading label="Loading the server" />;
  if (!server.data) {
    const missing = isApiError(server.error, 'STEWARD_NOT_FOUND');
    return (
      <>
        <PageHeader title={missing ? 'Server not found' : 'Server'} />
        {missing ? (
          <EmptyState title="This organisation has no such server; it may have been removed.">
            <p>
              <Link to={`/orgs/${org.id}/servers`}>Back to the servers</Link>
            </p>
          </EmptyState>
        ) : (
          <ErrorNotice
            error={server.error}
            title="The server could not be loaded"
            onRetry={() => void server.refetch()}
          />
        )}
      </>
    );
  }
  const s = server.data;
  const look = SERVER_STATUS[s.status];
  const openSecrets = secrets.data?.filter((x) => !x.goneAt).length ?? 0;
  return (
    <>
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/servers`}>Servers</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={s.name}
        badge={<Badge tone={look.tone}>{look.label}</Badge>}
        description={
          <span className="mono">
            {s.username}@{s.address}
            {s.port === 22 ? '' : `:${s.port}`}
          </span>
        }
        actions={
          s.status === 'ready' ? (
            <Link className="btn btn-primary" to={`${base}/tasks`}>
              Run a task
            </Link>
          ) : undefined
        }
      />
      {s.status === 'blocked' && <HostKeyBlocked orgId={org.id} server={s} canConfirm={org.role === 'owner'} />}
      <SubNav
        label="Server sections"
        items={SERVER_TABS.map((t) => ({
          to: t.path ? `${base}/${t.path}` : base,
          label: t.label,
          end: !t.path,
          coming: t.coming,
          count: t.path === 'found-credentials' ? openSecrets : undefined,
        }))}
      />
      <Outlet context={{ server: s, base } satisfies ServerContext} />
    </>
  );
}

export const useServerPage = (): ServerContext => useOutletContext<ServerContext>();
