import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { INSTANCE_STATE, LAUNCH_STAGE } from '../../components/status';
import { orgKey } from '../org/queries';

const org = (orgId: string) => ({ params: { path: { orgId } } });

export const useAccounts = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'provider-accounts'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/provider-accounts', org(orgId)))).accounts,
  });

/** Every instance of every account; every two seconds while one is changing state, else every half minute. */
export const useInstances = (orgId: string, enabled = true) =>
  useQuery({
    queryKey: orgKey(orgId, 'instances'),
    enabled,
    queryFn: () => call(api.GET('/api/orgs/{orgId}/instances', org(orgId))),
    refetchInterval: (query) =>
      query.state.data?.instances.some((i) => INSTANCE_STATE[i.state].moving) ? 2000 : 30_000,
  });

export const useLaunches = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'launches'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/launches', { params: { path: { orgId }, query: { limit: 20 } } })))
        .launches,
    refetchInterval: (query) => (query.state.data?.some((l) => LAUNCH_STAGE[l.stage].moving) ? 1500 : false),
  });

/** One launch, followed every second until it is ready or failed. */
export const useLaunch = (orgId: string, accountId: string, token: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'launches', accountId, token),
    queryFn: () =>
      call(
        api.GET('/api/orgs/{orgId}/provider-accounts/{accountId}/launches/{launchToken}', {
          params: { path: { orgId, accountId, launchToken: token } },
        }),
      ),
    refetchInterval: (query) => (!query.state.data || LAUNCH_STAGE[query.state.data.stage].moving ? 1000 : false),
  });

export const useCatalog = (orgId: string, accountId: string | undefined, imageName: string | undefined) =>
  useQuery({
    queryKey: orgKey(orgId, 'catalog', accountId, imageName ?? ''),
    enabled: Boolean(accountId),
    staleTime: 5 * 60_000,
    queryFn: () =>
      call(
        api.GET('/api/orgs/{orgId}/provider-accounts/{accountId}/catalog', {
          params: { path: { orgId, accountId: accountId! }, query: imageName ? { imageName } : {} },
        }),
      ),
  });
