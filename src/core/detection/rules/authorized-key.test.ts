import { describe, expect, it } from 'vitest';
import { authorizedKey } from './authorized-key.js';
import { quiet, STATE } from './input.testkit.js';

describe('rule: new authorized key', () => {
  it('a key added for an account is reported with its fingerprint; root’s is critical', () => {
    const after = {
      ...STATE,
      authorizedKeys: [
        ...STATE.authorizedKeys,
        { id: 'root SHA256:intruder', user: 'root', type: 'ssh-rsa', comment: 'x@y' },
        { id: 'alice SHA256:laptop', user: 'alice', type: 'ssh-ed25519', comment: '' },
      ],
    };
    expect(authorizedKey(quiet({ after })).map((f) => `${f.key} ${f.severity} ${f.evidence.fingerprint}`)).toEqual([
      'root SHA256:intruder critical SHA256:intruder',
      'alice SHA256:laptop warning SHA256:laptop',
    ]);
  });

  it('the organisation’s own key, installed by Steward, is expected', () => {
    const after = {
      ...STATE,
      authorizedKeys: [
        ...STATE.authorizedKeys,
        { id: 'steward-admin SHA256:steward', user: 'steward-admin', type: 'ssh-ed25519', comment: '' },
      ],
    };
    expect(authorizedKey(quiet({ after }))).toEqual([]);
  });
});
