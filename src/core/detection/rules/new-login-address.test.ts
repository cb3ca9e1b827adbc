import { describe, expect, it } from 'vitest';
import type { AuthEvent } from '../detection.types.js';
import { NOW, quiet } from './input.testkit.js';
import { newLoginAddress } from './new-login-address.js';

const ok = (user: string, address: string): AuthEvent => ({
  kind: 'success',
  user,
  address,
  port: 5000,
  method: 'publickey',
  invalidUser: false,
  atMs: NOW,
  line: `Accepted publickey for ${user} from ${address} port 5000 ssh2`,
});

describe('rule: login from a new address', () => {
  it('an account logging in from an address it never used: a finding (critical for root)', () => {
    const fresh = [ok('deploy', '198.51.100.7'), ok('deploy', '198.51.100.7'), ok('root', '203.0.113.50')];
    const found = newLoginAddress(
      quiet({ knownLogins: new Set(['deploy@192.0.2.1']), auth: { window: fresh, fresh } }),
    );
    expect(found.map((f) => `${f.key} ${f.severity} ${f.evidence.firstLoginSeenForAccount}`)).toEqual([
      'deploy@198.51.100.7 warning false',
      'root@203.0.113.50 critical true',
    ]);
  });

  it('known addresses, Steward’s own address and the first read of the log (baseline) are quiet', () => {
    const fresh = [ok('deploy', '192.0.2.1'), ok('root', '10.0.0.1')];
    expect(
      newLoginAddress(quiet({ knownLogins: new Set(['deploy@192.0.2.1']), auth: { window: fresh, fresh } })),
    ).toEqual([]);
    expect(
      newLoginAddress(
        quiet({ knownLogins: null, auth: { window: [ok('x', '198.51.100.9')], fresh: [ok('x', '198.51.100.9')] } }),
      ),
    ).toEqual([]);
  });
});
