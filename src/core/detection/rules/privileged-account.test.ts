import { describe, expect, it } from 'vitest';
import { quiet, STATE } from './input.testkit.js';
import { privilegedAccount } from './privileged-account.js';

describe('rule: new uid-0 account or administrator', () => {
  it('a second uid-0 account is critical and is not also reported as an administrator', () => {
    const after = { ...STATE, uid0: ['root', 'toor'], admins: ['root', 'toor'] };
    expect(privilegedAccount(quiet({ after }))).toEqual([
      expect.objectContaining({ key: 'uid0:toor', severity: 'critical' }),
    ]);
  });

  it('a new sudoer is a warning', () => {
    const after = { ...STATE, admins: ['mallory', 'root'] };
    expect(privilegedAccount(quiet({ after })).map((f) => `${f.key} ${f.severity}`)).toEqual(['admin:mallory warning']);
  });

  it('no baseline yet, or nothing new: nothing', () => {
    expect(privilegedAccount(quiet({ before: null, after: { ...STATE, uid0: ['root', 'toor'] } }))).toEqual([]);
    expect(privilegedAccount(quiet({ after: { ...STATE, admins: [] } }))).toEqual([]);
  });
});
