import { describe, expect, it } from 'vitest';
import { addressOf, incidentFor, worse, type OpenIncident } from './grouping.js';

const H = 3600_000;
const T = 1_800_000_000_000;

describe('grouping findings into incidents', () => {
  const open: OpenIncident[] = [
    {
      id: 'inc_a',
      severity: 'warning',
      findings: [{ serverId: 'srv_1', lastSeenMs: T - 2 * H, address: '203.0.113.9' }],
    },
    {
      id: 'inc_b',
      severity: 'critical',
      findings: [{ serverId: 'srv_2', lastSeenMs: T - 20 * H, address: '198.51.100.4' }],
    },
  ];

  it('a finding on a server with a recent incident joins it', () => {
    expect(incidentFor({ serverId: 'srv_1', address: null, atMs: T }, open)).toBe('inc_a');
  });

  it('the same attacker on another server joins the incident that names it', () => {
    expect(incidentFor({ serverId: 'srv_9', address: '198.51.100.4', atMs: T }, open)).toBe('inc_b');
  });

  it('unrelated, or related too long ago: a new incident', () => {
    expect(incidentFor({ serverId: 'srv_9', address: '192.0.2.1', atMs: T }, open)).toBeNull();
    expect(incidentFor({ serverId: 'srv_2', address: null, atMs: T }, open)).toBeNull();
    expect(incidentFor({ serverId: 'srv_9', address: '198.51.100.4', atMs: T + 5 * H }, open)).toBeNull();
  });

  it('severity only goes up; addresses come from the evidence', () => {
    expect(worse('warning', 'critical')).toBe('critical');
    expect(worse('critical', 'info')).toBe('critical');
    expect(addressOf({ address: '203.0.113.9' })).toBe('203.0.113.9');
    expect(addressOf({ mount: '/' })).toBeNull();
  });
});
