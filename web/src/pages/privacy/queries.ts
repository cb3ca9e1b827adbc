import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';

export const privacyKey = (...rest: unknown[]) => ['privacy', ...rest] as const;

export const useConsents = () =>
  useQuery({ queryKey: privacyKey('consents'), queryFn: () => call(api.GET('/api/me/consents')) });

/** A significant policy change not acknowledged yet; looked for again every few minutes. */
export const usePolicyNotice = (enabled = true) =>
  useQuery({
    queryKey: privacyKey('notice'),
    enabled,
    queryFn: async () => (await call(api.GET('/api/me/policy-notice'))).notice,
    refetchInterval: 5 * 60_000,
  });

export const useCurrentPolicy = () =>
  useQuery({
    queryKey: privacyKey('policy'),
    queryFn: async () => (await call(api.GET('/api/privacy/policy'))).policy,
  });

export const useDeletions = () =>
  useQuery({
    queryKey: privacyKey('deletions'),
    queryFn: async () => (await call(api.GET('/api/me/deletions'))).deletions,
  });
