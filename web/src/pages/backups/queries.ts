import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { NewBackupPlan, NewRestore } from '../../api/types';
import { orgKey } from '../org/queries';

const server = (orgId: string, serverId: string) => ({ params: { path: { orgId, serverId } } });

/** Per plan of a server: last good backup, last run and restore points. Polls while a run is under way. */
export const useServerBackups = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'backups'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/servers/{serverId}/backups', server(orgId, serverId)))).plans,
    refetchInterval: (q) =>
      q.state.data?.some((p) => p.lastRun && (p.lastRun.status === 'queued' || p.lastRun.status === 'running'))
        ? 1500
        : 30_000,
  });

export const useProposals = (orgId: string, serverId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'backup-proposals'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/servers/{serverId}/backups/proposals', server(orgId, serverId))))
        .proposals,
    retry: false,
  });

/** One run, polled until it ends (a restore or its dry run). */
export const useBackupRun = (orgId: string, runId: string | null) =>
  useQuery({
    queryKey: orgKey(orgId, 'backup-runs', runId ?? ''),
    enabled: runId !== null,
    queryFn: () =>
      call(api.GET('/api/orgs/{orgId}/backups/runs/{runId}', { params: { path: { orgId, runId: runId ?? '' } } })),
    refetchInterval: (q) =>
      q.state.data && (q.state.data.status === 'queued' || q.state.data.status === 'running') ? 1000 : false,
  });

export function useBackupActions(orgId: string, serverId: string) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: orgKey(orgId, 'servers', serverId) });
  const createPlan = useMutation({
    mutationFn: (body: Omit<NewBackupPlan, 'serverId'>) =>
      call(api.POST('/api/orgs/{orgId}/backups/plans', { params: { path: { orgId } }, body: { ...body, serverId } })),
    onSuccess: refresh,
  });
  const runNow = useMutation({
    mutationFn: (planId: string) =>
      call(api.POST('/api/orgs/{orgId}/backups/plans/{planId}/run', { params: { path: { orgId, planId } } })),
    onSuccess: refresh,
  });
  const restore = useMutation({
    mutationFn: (body: NewRestore) =>
      call(api.POST('/api/orgs/{orgId}/backups/restores', { params: { path: { orgId } }, body })),
  });
  return { createPlan, runNow, restore };
}
