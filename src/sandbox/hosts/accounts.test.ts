import { describe, expect, it } from 'vitest';
import { planAccounts } from './accounts.js';

describe('planAccounts', () => {
  it('merges root keys from the launcher and the spec, and notes password logins', () => {
    const plan = planAccounts(
      [
        { name: 'root', authorizedKeys: ['ssh-ed25519 BBB '] },
        { name: 'alice', password: 'pw' },
      ],
      ['ssh-ed25519 AAA'],
    );
    expect(plan.rootKeys).toEqual(['ssh-ed25519 AAA', 'ssh-ed25519 BBB']);
    expect(plan.others.map((u) => u.name)).toEqual(['alice']);
    expect(plan.passwordLogin).toBe(true);
    expect(plan.rootPassword).toBeUndefined();
  });

  it('refuses names, uids, passwords and keys that could break the files they go into', () => {
    expect(() => planAccounts([{ name: 'Bad Name' }])).toThrow(/not a valid/);
    expect(() => planAccounts([{ name: 'a', uid: 0 }])).toThrow(/uid/);
    expect(() => planAccounts([{ name: 'a', password: 'x\ny' }])).toThrow(/one line/);
    expect(() => planAccounts([{ name: 'a', authorizedKeys: ['k1\nk2'] }])).toThrow(/several lines/);
    expect(() => planAccounts([{ name: 'a' }, { name: 'a' }])).toThrow(/twice/);
  });
});
