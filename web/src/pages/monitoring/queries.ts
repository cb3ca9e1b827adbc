import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { orgKey } from '../org/queries';

const org = (orgId: string) => ({ params: { path: { orgId } } });

export const useMonitoringSettings = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'monitoring', 'settings'),
    queryFn: () => call(api.GET('/api/orgs/{orgId}/monitoring/settings', org(orgId))),
  });

/** The fleet's latest figures refresh every 10 s, the shortest sampling interval. */
export const useFleet = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'monitoring', 'fleet'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/monitoring/fleet', org(orgId)))).servers,
    refetchInterval: 10_000,
  });

export const useAlertRules = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'monitoring', 'rules'),
    queryFn: async () => (await call(api.GET('/api/orgs/{orgId}/alert-rules', org(orgId)))).rules,
  });

export const useAlertEvents = (orgId: string) =>
  useQuery({
    queryKey: orgKey(orgId, 'monitoring', 'events'),
    queryFn: async () =>
      (await call(api.GET('/api/orgs/{orgId}/alert-events', { params: { path: { orgId }, query: { limit: 20 } } })))
        .events,
    refetchInterval: 15_000,
  });

/** A server's series over the last `seconds`, read again every interval so the chart moves with time. */
export const useMetrics = (orgId: string, serverId: string, seconds: number, metrics: readonly string[]) =>
  useQuery({
    queryKey: orgKey(orgId, 'servers', serverId, 'metrics', seconds, metrics.join(',')),
    queryFn: () => {
      const to = Math.ceil(Date.now() / 1000);
      return call(
        api.GET('/api/orgs/{orgId}/servers/{serverId}/metrics', {
          params: { path: { orgId, serverId }, query: { metrics: metrics.join(','), from: to - seconds, to } },
        }),
      );
    },
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });

/** The figures a chart is drawn for, on a server's Metrics tab and across the fleet. */
export const CHARTS = ['cpu.busy_pct', 'mem.used_pct', 'disk.used_pct', 'load.1'] as const;

/** The same figures across the fleet: per metric, the servers that rose highest in the last `seconds`. */
export const useFleetMetrics = (orgId: string, seconds: number) =>
  useQuery({
    queryKey: orgKey(orgId, 'monitoring', 'fleet-metrics', seconds),
    queryFn: () => {
      const to = Math.ceil(Date.now() / 1000);
      return call(
        api.GET('/api/orgs/{orgId}/monitoring/fleet/metrics', {
          params: { path: { orgId }, query: { metrics: CHARTS.join(','), from: to - seconds, to } },
        }),
      );
    },
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });

export const useIncidents = (orgId: string, status: 'active' | 'closed' | 'all') =>
  useQuery({
    queryKey: orgKey(orgId, 'incidents', status),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/incidents', {
            params: { path: { orgId }, query: status === 'all' ? {} : { status } },
          }),
        )
      ).incidents,
    refetchInterval: 10_000,
  });

export const useFindings = (orgId: string, status: 'active' | 'closed' | 'all') =>
  useQuery({
    queryKey: orgKey(orgId, 'findings', status),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/findings', {
            params: { path: { orgId }, query: status === 'all' ? {} : { status } },
          }),
        )
      ).findings,
    refetchInterval: 10_000,
  });

/** Figures as people read them: percentages with one decimal, loads with two. */
export function formatMetric(metric: string, value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '—';
  if (metric.includes('_pct')) return `${value.toFixed(1)} %`;
  if (metric.startsWith('load.')) return value.toFixed(2);
  if (metric.includes('_bytes')) return formatBytes(value);
  return String(Math.round(value * 100) / 100);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export const METRIC_LABEL: Record<string, string> = {
  'cpu.busy_pct': 'CPU busy',
  'mem.used_pct': 'Memory used',
  'disk.used_pct': 'Disk used',
  'load.1': 'Load (1 min)',
};
export const metricLabel = (m: string) => METRIC_LABEL[m] ?? m;
