import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

/** Staff access data refreshes often: a customer may revoke, narrow or close at any moment. */
export const staffKey = (...rest: unknown[]) => ['staff', 'access', ...rest] as const;

export const useQueueRequests = () =>
  useQuery({
    queryKey: staffKey('support', 'open'),
    queryFn: async () =>
      (await call(api.GET('/api/staff/support-requests', { params: { query: { status: 'open', limit: 200 } } })))
        .requests,
    refetchInterval: 5000,
  });

export const useQueueGrants = () =>
  useQuery({
    queryKey: staffKey('grants', 'queue'),
    queryFn: async () =>
      (await call(api.GET('/api/staff/grants', { params: { query: { queue: 'true', limit: 200 } } }))).grants,
    refetchInterval: 5000,
  });

export const useMyGrants = () =>
  useQuery({
    queryKey: staffKey('grants', 'mine'),
    queryFn: async () =>
      (await call(api.GET('/api/staff/grants', { params: { query: { queue: 'false', limit: 200 } } }))).grants,
    refetchInterval: 5000,
  });

export const useStaffGrant = (grantId: string) =>
  useQuery({
    queryKey: staffKey('grant', grantId),
    queryFn: () => call(api.GET('/api/staff/grants/{grantId}', { params: { path: { grantId } } })),
    refetchInterval: 3000,
  });

/** The servers an active grant covers (the API refuses once it is not active). */
export const useGrantServers = (grantId: string, active: boolean) =>
  useQuery({
    queryKey: staffKey('grant', grantId, 'servers'),
    enabled: active,
    queryFn: async () =>
      (await call(api.GET('/api/staff/grants/{grantId}/servers', { params: { path: { grantId } } }))).servers,
  });

export const useStaffRequest = (supportId: string) =>
  useQuery({
    queryKey: staffKey('support', supportId),
    queryFn: () => call(api.GET('/api/staff/support-requests/{supportId}', { params: { path: { supportId } } })),
    refetchInterval: 4000,
  });
