import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { orgKey } from '../org/queries';

export const useRecipes = () =>
  useQuery({
    queryKey: ['recipes'],
    staleTime: 5 * 60_000,
    queryFn: async () => (await call(api.GET('/api/recipes'))).recipes,
  });

/** Task history, newest first; refreshed every few seconds while a run is still going. */
export const useRuns = (orgId: string, serverId?: string, limit = 50) =>
  useQuery({
    queryKey: orgKey(orgId, 'task-runs', serverId ?? 'all', limit),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/task-runs', {
            params: { path: { orgId }, query: { limit, ...(serverId ? { serverId } : {}) } },
          }),
        )
      ).runs,
    refetchInterval: (query) => (query.state.data?.some((r) => r.status === 'running') ? 2000 : 20_000),
  });

export const useRun = (orgId: string, runId: string | null) =>
  useQuery({
    queryKey: orgKey(orgId, 'task-runs', 'one', runId),
    enabled: runId !== null,
    queryFn: () => call(api.GET('/api/orgs/{orgId}/task-runs/{runId}', { params: { path: { orgId, runId: runId! } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 2000 : false),
  });
