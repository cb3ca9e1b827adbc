import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export const billingKey = (...rest: unknown[]) => ['billing', ...rest] as const;

export const usePlans = () =>
  useQuery({ queryKey: billingKey('plans'), queryFn: async () => (await call(api.GET('/api/billing/plans'))).plans });

export const useOrgPlan = (orgId: string) =>
  useQuery({
    queryKey: billingKey('plan', orgId),
    queryFn: () => call(api.GET('/api/orgs/{orgId}/billing/plan', { params: { path: { orgId } } })),
  });

export const useInvoices = (orgId: string) =>
  useQuery({
    queryKey: billingKey('invoices', orgId),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/invoices', { params: { path: { orgId }, query: { limit: 100 } } })))
        .invoices,
  });

export const useBillingProfile = (orgId: string) =>
  useQuery({
    queryKey: billingKey('profile', orgId),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/billing/profile', { params: { path: { orgId } } }))).profile,
  });

export const useStanding = (orgId: string) =>
  useQuery({
    queryKey: ['standing', orgId],
    queryFn: () => call(api.GET('/api/orgs/{orgId}/standing', { params: { path: { orgId } } })),
    refetchInterval: 5 * 60_000,
  });

export const useRecommendations = (orgId: string) =>
  useQuery({
    queryKey: ['recommendations', orgId],
    queryFn: () => call(api.GET('/api/orgs/{orgId}/recommendations', { params: { path: { orgId } } })),
  });
