import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { isApiError } from '../../api/errors';
import { SERVER_STATUS } from '../../components/status';
import { orgKey } from '../org/queries';

const org = (orgId: string) => ({ params: { path: { orgId } } });
const server = (orgId: string, serverId: string) => ({ params: { path: { orgId, serverId } } });

/** Servers refresh every few seconds while any of them is still changing by itself (enrolling, removing). */
export const useServers = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/servers', org(orgId)))).servers,
    refetchInterval: (query) => (query.state.data?.some((s) => SERVER_STATUS[s.status].moving) ? 2000 : 15_000),
  });

export const useServer = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId),
    queryFn: () => call(api.GET('/api/orgs/{orgId}/servers/{serverId}', server(orgId, serverId))),
    refetchInterval: (query) => (query.state.data && SERVER_STATUS[query.state.data.status].moving ? 1500 : 15_000),
  });

/**
 * The latest facts, or null while the server has never been discovered (the API answers 404 then). While
 * `waiting`, it asks again every two seconds, so a page shows the first discovery when it lands.
 */
export const useFacts = (orgId: string, serverId: string | null, waiting = false) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'facts'),
    enabled: serverId !== null,
    queryFn: async () => {
      try {
        return await call(api.GET('/api/orgs/{orgId}/servers/{serverId}/facts', server(orgId, serverId!)));
      } catch (err) {
        if (isApiError(err, 'STEWARD_NOT_FOUND')) return null;
        throw err;
      }
    },
    refetchInterval: (query) => (waiting && query.state.data === null ? 2000 : false),
  });

export const useSnapshots = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'snapshots'),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/servers/{serverId}/snapshots', {
            params: { path: { orgId, serverId }, query: { limit: 20 } },
          }),
        )
      ).snapshots,
  });

export const useFoundSecrets = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'found-secrets'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/servers/{serverId}/found-secrets', server(orgId, serverId)))).secrets,
  });

export const useSchedule = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'schedule'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/servers/{serverId}/discovery-schedule', server(orgId, serverId))))
        .schedule,
  });

export const useAlerts = (orgId: string, open: boolean) =>
  useQuery({
    queryKey: orgKey(orgId, 'alerts', open ? 'open' : 'all'),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/alerts', {
            params: { path: { orgId }, query: { limit: 200, ...(open ? { open: 'true' as const } : {}) } },
          }),
        )
      ).alerts,
    refetchInterval: 30_000,
  });

export interface LedgerFilter {
  targetId?: string;
  before?: string;
  limit: number;
}

export const useLedger = (orgId: string, filter: LedgerFilter) =>
  useQuery({
    queryKey: orgKey(orgId, 'credential-uses', filter),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/credential-uses', { params: { path: { orgId }, query: filter } }))).uses,
  });
