import type { components } from '../../api/schema';
import type { NewAlertRule } from '../../api/types';
import { oneOf } from '../../components/formErrors';
import { formatMetric, metricLabel } from './queries';

/** What the monitoring pages share: the rule, fleet and incident shapes, and reading an alert rule from its form. */

export type Rule = components['schemas']['AlertRule'];

export type FleetServer = components['schemas']['FleetOverview']['servers'][number];

export type Incident = components['schemas']['Incident'];

export type Finding = components['schemas']['Finding'];

/** An incident's or a finding's status, in words. */
export const STATUS_LABEL: Record<Incident['status'], string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  closed: 'Closed',
};

export const describeRule = (r: Rule) =>
  r.type === 'unreachable'
    ? `Unreachable for ${minutes(r.durationSeconds)}`
    : `${metricLabel(r.metric ?? '')} ${r.comparison} ${formatMetric(r.metric ?? '', r.threshold)} for ${minutes(r.durationSeconds)}`;

export const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

export type ServerOption = { id: string; name: string };

/** What a rule form holds, as the API takes it; an unreachable rule clears the figure, comparison and threshold. */
export function readRule(form: FormData, type: Rule['type']): NewAlertRule {
  const common = {
    name: String(form.get('name') ?? '').trim(),
    durationSeconds: Math.round(Number(form.get('minutes')) * 60),
    serverId: String(form.get('server') ?? '') || null,
    severity: oneOf(String(form.get('severity')), ['info', 'warning', 'critical'], 'warning'),
  };
  return type === 'unreachable'
    ? { ...common, type, metric: null, comparison: null, threshold: null }
    : {
        ...common,
        type,
        metric: String(form.get('metric')),
        comparison: String(form.get('comparison')) === 'below' ? 'below' : 'above',
        threshold: Number(form.get('threshold')),
      };
}
