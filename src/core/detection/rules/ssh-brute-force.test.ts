import { describe, expect, it } from 'vitest';
import type { AuthEvent } from '../detection.types.js';
import { NOW, quiet } from './input.testkit.js';
import { sshBruteForce } from './ssh-brute-force.js';

const fail = (address: string, i: number, user = 'root'): AuthEvent => ({
  kind: 'failure',
  user,
  address,
  port: 40000 + i,
  method: 'password',
  invalidUser: false,
  atMs: NOW - 60_000 + i * 1000,
  line: `Failed password for ${user} from ${address} port ${40000 + i} ssh2`,
});

describe('rule: SSH brute force', () => {
  it('many failures from one address in the window: one finding with the evidence', () => {
    const window = [
      ...Array.from({ length: 12 }, (_, i) => fail('203.0.113.9', i, i % 2 ? 'root' : 'admin')),
      fail('198.51.100.1', 0),
    ];
    const [f, ...rest] = sshBruteForce(quiet({ auth: { window, fresh: window } }));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      rule: 'ssh_brute_force',
      key: '203.0.113.9',
      severity: 'warning',
      evidence: { failures: 12, accounts: ['admin', 'root'] },
    });
    expect(f!.evidence.lines as string[]).toHaveLength(5);
  });

  it('below the threshold, outside the window or from Steward itself: nothing', () => {
    expect(
      sshBruteForce(
        quiet({ auth: { window: Array.from({ length: 9 }, (_, i) => fail('203.0.113.9', i)), fresh: [] } }),
      ),
    ).toEqual([]);
    const old = Array.from({ length: 12 }, (_, i) => ({ ...fail('203.0.113.9', i), atMs: NOW - 3_600_000 }));
    expect(sshBruteForce(quiet({ auth: { window: old, fresh: [] } }))).toEqual([]);
    expect(
      sshBruteForce(quiet({ auth: { window: Array.from({ length: 12 }, (_, i) => fail('10.0.0.1', i)), fresh: [] } })),
    ).toEqual([]);
  });

  it('a success after the failures makes it critical', () => {
    const window: AuthEvent[] = [
      ...Array.from({ length: 10 }, (_, i) => fail('203.0.113.9', i)),
      {
        kind: 'success',
        user: 'root',
        address: '203.0.113.9',
        port: 40100,
        method: 'password',
        invalidUser: false,
        atMs: NOW,
        line: 'Accepted password for root from 203.0.113.9 port 40100 ssh2',
      },
    ];
    const [f] = sshBruteForce(quiet({ auth: { window, fresh: [] } }));
    expect(f!.severity).toBe('critical');
    expect(f!.evidence.successfulLogin).toMatchObject({ user: 'root' });
  });
});
