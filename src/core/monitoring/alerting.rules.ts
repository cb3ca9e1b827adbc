/**
 * The alert state machine, per rule and server: a condition that holds is `pending` from the first sample it
 * held; after the rule's duration it is `firing` (an alert opens and the recipients are mailed, once); when
 * the condition no longer holds, a firing alert resolves (mailed once more) and the state is forgotten. A sample
 * that says nothing about the rule's metric leaves the state as it was. Pure.
 */
import type { RuleRow, StateRow } from './alerting.store.js';

/** What one look at a server showed: its metric values, or that it could not be reached. */
export type Observation =
  | {
      readonly kind: 'sample';
      readonly values: ReadonlyMap<string, number>;
      readonly subjects: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'unreachable'; readonly reason: string };

export interface Verdict {
  /** The state to keep, or null: the condition does not hold (forget the state). */
  readonly next: {
    readonly state: 'pending' | 'firing';
    readonly sinceMs: number;
    readonly value: number | null;
    readonly subject: string | null;
  } | null;
  readonly fire: boolean;
  readonly resolve: boolean;
}

const UNCHANGED = (state: StateRow | null): Verdict => ({
  next: state ? { state: state.state, sinceMs: state.since_ms, value: state.value, subject: state.subject } : null,
  fire: false,
  resolve: false,
});

function holds(
  rule: RuleRow,
  obs: Observation,
): { holds: boolean; value: number | null; subject: string | null } | null {
  if (rule.kind === 'unreachable')
    return { holds: obs.kind === 'unreachable', value: null, subject: obs.kind === 'unreachable' ? obs.reason : null };
  if (obs.kind !== 'sample' || rule.metric === null || rule.threshold === null) return null;
  const value = obs.values.get(rule.metric);
  if (value === undefined) return null;
  const breach = rule.comparison === 'below' ? value < rule.threshold : value > rule.threshold;
  return { holds: breach, value, subject: obs.subjects.get(rule.metric) ?? null };
}

export function judge(rule: RuleRow, state: StateRow | null, obs: Observation, nowMs: number): Verdict {
  const seen = holds(rule, obs);
  if (seen === null) return UNCHANGED(state);
  if (!seen.holds) return { next: null, fire: false, resolve: state?.state === 'firing' };
  const sinceMs = state?.since_ms ?? nowMs;
  const due = nowMs - sinceMs >= rule.duration_seconds * 1000;
  const firing = state?.state === 'firing' || due;
  return {
    next: { state: firing ? 'firing' : 'pending', sinceMs, value: seen.value, subject: seen.subject },
    fire: firing && state?.state !== 'firing',
    resolve: false,
  };
}

/** The rules a new organisation starts with: a filling disk, memory running out, a server gone quiet. */
export const DEFAULT_RULES: readonly Pick<
  RuleRow,
  'name' | 'kind' | 'metric' | 'comparison' | 'threshold' | 'duration_seconds' | 'severity'
>[] = [
  {
    name: 'Disk over 90 % full',
    kind: 'threshold',
    metric: 'disk.used_pct',
    comparison: 'above',
    threshold: 90,
    duration_seconds: 600,
    severity: 'critical',
  },
  {
    name: 'Memory over 95 % used',
    kind: 'threshold',
    metric: 'mem.used_pct',
    comparison: 'above',
    threshold: 95,
    duration_seconds: 600,
    severity: 'warning',
  },
  {
    name: 'Server unreachable',
    kind: 'unreachable',
    metric: null,
    comparison: null,
    threshold: null,
    duration_seconds: 300,
    severity: 'critical',
  },
];
