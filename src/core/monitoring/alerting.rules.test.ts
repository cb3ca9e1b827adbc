import { describe, expect, it } from 'vitest';
import type { RuleRow, StateRow } from './alerting.store.js';
import { judge, type Observation } from './alerting.rules.js';

const T = 1_800_000_000_000;
const rule = (patch: Partial<RuleRow> = {}): RuleRow => ({
  id: 'alr_1',
  org_id: 'org_1',
  name: 'disk',
  kind: 'threshold',
  metric: 'disk.used_pct',
  comparison: 'above',
  threshold: 90,
  duration_seconds: 600,
  server_id: null,
  severity: 'critical',
  enabled: 1,
  created_by: null,
  created_at: '',
  updated_at: '',
  ...patch,
});
const sample = (v: number | null): Observation => ({
  kind: 'sample',
  values: new Map(v === null ? [] : [['disk.used_pct', v]]),
  subjects: new Map([['disk.used_pct', '/var']]),
});
const state = (s: 'pending' | 'firing', since: number): StateRow => ({
  rule_id: 'alr_1',
  server_id: 'srv_1',
  org_id: 'org_1',
  state: s,
  since_ms: since,
  value: 95,
  subject: '/var',
  alert_id: null,
  updated_at: '',
});

describe('alert state machine', () => {
  it('pending from the first breaching sample, firing once the duration has passed, then firing without firing again', () => {
    const first = judge(rule(), null, sample(95), T);
    expect(first).toEqual({
      next: { state: 'pending', sinceMs: T, value: 95, subject: '/var' },
      fire: false,
      resolve: false,
    });
    expect(judge(rule(), state('pending', T), sample(96), T + 599_000)).toMatchObject({
      next: { state: 'pending' },
      fire: false,
    });
    expect(judge(rule(), state('pending', T), sample(96), T + 600_000)).toMatchObject({
      next: { state: 'firing', sinceMs: T },
      fire: true,
    });
    expect(judge(rule(), state('firing', T), sample(97), T + 700_000)).toMatchObject({
      next: { state: 'firing' },
      fire: false,
      resolve: false,
    });
  });

  it('clearing resolves a firing alert, and just forgets a pending one', () => {
    expect(judge(rule(), state('firing', T), sample(80), T + 900_000)).toEqual({
      next: null,
      fire: false,
      resolve: true,
    });
    expect(judge(rule(), state('pending', T), sample(80), T + 60_000)).toEqual({
      next: null,
      fire: false,
      resolve: false,
    });
  });

  it('a sample without the metric, or an unreachable server, says nothing about a threshold rule', () => {
    expect(judge(rule(), state('pending', T), sample(null), T + 900_000)).toMatchObject({
      next: { state: 'pending', sinceMs: T },
      fire: false,
    });
    expect(judge(rule(), state('firing', T), { kind: 'unreachable', reason: 'refused' }, T + 900_000)).toMatchObject({
      next: { state: 'firing' },
      resolve: false,
    });
  });

  it('below-threshold rules and unreachable rules', () => {
    expect(judge(rule({ comparison: 'below', threshold: 5 }), null, sample(3), T).next?.state).toBe('pending');
    const down = rule({ kind: 'unreachable', metric: null, threshold: null, comparison: null, duration_seconds: 0 });
    expect(judge(down, null, { kind: 'unreachable', reason: 'connection refused' }, T)).toMatchObject({
      next: { state: 'firing', subject: 'connection refused' },
      fire: true,
    });
    expect(judge(down, state('firing', T), sample(1), T + 10_000)).toMatchObject({ next: null, resolve: true });
  });
});
