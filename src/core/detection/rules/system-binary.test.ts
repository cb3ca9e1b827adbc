import { describe, expect, it } from 'vitest';
import { quiet, STATE } from './input.testkit.js';
import { systemBinary } from './system-binary.js';

const withSshd = (sha256: string, packaged: boolean | null) => ({
  ...STATE,
  binaries: { '/usr/sbin/sshd': { sha256, packaged } },
});

describe('rule: changed system binary', () => {
  it('a changed hash that no longer matches the package is critical', () => {
    expect(systemBinary(quiet({ after: withSshd('bb', false) }))).toEqual([
      expect.objectContaining({
        key: '/usr/sbin/sshd',
        severity: 'critical',
        evidence: { path: '/usr/sbin/sshd', sha256Before: 'aa', sha256Now: 'bb', matchesPackage: false },
      }),
    ]);
    expect(systemBinary(quiet({ after: withSshd('bb', null) }))[0]!.title).toMatch(/no package/);
  });

  it('an upgrade by the package manager (new hash that matches the package) is not', () => {
    expect(systemBinary(quiet({ after: withSshd('bb', true) }))).toEqual([]);
  });

  it('no hashes on either side yet: nothing', () => {
    expect(systemBinary(quiet({ before: { ...STATE, binaries: null }, after: withSshd('bb', false) }))).toEqual([]);
    expect(systemBinary(quiet({ after: { ...STATE, binaries: null } }))).toEqual([]);
  });
});
