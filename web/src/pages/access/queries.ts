import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { orgKey } from '../org/queries';

const org = (orgId: string) => ({ params: { path: { orgId } } });

/** Grants change by themselves (taken, expired): they refresh every few seconds while the page is open. */
export const useGrants = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'grants'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/grants', { params: { path: { orgId }, query: { limit: 200 } } }))).grants,
    refetchInterval: 5000,
  });

export const useSupportRequests = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'support'),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/support-requests', { params: { path: { orgId }, query: { limit: 200 } } }),
        )
      ).requests,
    refetchInterval: 10_000,
  });

/** One request with its messages; replies from staff show within a few seconds. */
export const useSupportRequest = (orgId: string, supportId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'support', supportId),
    queryFn: () =>
      call(api.GET('/api/orgs/{orgId}/support-requests/{supportId}', { params: { path: { orgId, supportId } } })),
    refetchInterval: 4000,
  });

/** What staff did: live while the page is open, so a session shows as it starts. */
export const useTimeline = (orgId: string, grantId?: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'timeline', grantId ?? 'all'),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/timeline', {
            params: { path: { orgId }, query: { limit: 200, ...(grantId ? { grantId } : {}) } },
          }),
        )
      ).entries,
    refetchInterval: 2000,
  });

export const useTerminalSessions = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'terminal-sessions'),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/terminal-sessions', { params: { path: { orgId }, query: { limit: 200 } } }),
        )
      ).sessions,
    refetchInterval: 2000,
  });

export const useServerNames = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/servers', org(orgId)))).servers,
    select: (servers) => new Map(servers.map((s) => [s.id, s.name])),
  });
