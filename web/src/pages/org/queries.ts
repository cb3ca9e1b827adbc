import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import type { JobStatus } from '../../api/types';

/** Query keys start with the organisation, so one invalidation refreshes everything of one organisation. */
export const orgKey = (orgId: string, ...rest: unknown[]) => ['org', orgId, ...rest] as const;

const path = (orgId: string) => ({ params: { path: { orgId } } });

export const useOrgDetails = (orgId: string) =>
  useQuery({ queryKey: orgKey(orgId, 'details'), queryFn: () => call(api.GET('/api/orgs/{orgId}', path(orgId))) });

export const useMembers = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'members'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/members', path(orgId)))).members,
  });

export const useInvitations = (orgId: string, enabled = true) =>
  useQuery({
    queryKey: orgKey(orgId, 'invitations'),
    enabled,
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/invitations', path(orgId)))).invitations,
  });

export const useCredentials = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'credentials'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/credentials', path(orgId)))).credentials,
  });

export interface AuditFilter {
  before?: number;
  action?: string;
  limit: number;
}

export const useOrgAudit = (orgId: string, filter: AuditFilter) =>
  useQuery({
    queryKey: orgKey(orgId, 'audit', filter),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/audit', { params: { path: { orgId }, query: filter } }))).entries,
  });

/** Jobs refresh every few seconds while any of them is still queued or running, so progress shows by itself. */
export const useOrgJobs = (orgId: string, status: JobStatus | undefined) =>
  useQuery({
    queryKey: orgKey(orgId, 'jobs', status ?? 'all'),
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/jobs', {
            params: { path: { orgId }, query: { limit: 100, ...(status ? { status } : {}) } },
          }),
        )
      ).jobs,
    refetchInterval: (query) =>
      query.state.data?.some((job) => job.status === 'queued' || job.status === 'running') ? 3000 : false,
  });
