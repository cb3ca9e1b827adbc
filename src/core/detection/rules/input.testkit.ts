/** A detection input with nothing going on, for the rules' tests to change one thing at a time. */
import { DEFAULT_THRESHOLDS, type DetectionInput, type SecurityState } from '../detection.types.js';

export const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

export const STATE: SecurityState = {
  uid0: ['root'],
  admins: ['root'],
  authorizedKeys: [{ id: 'root SHA256:steward', user: 'root', type: 'ssh-ed25519', comment: 'steward' }],
  ports: [{ id: 'tcp/22', address: '0.0.0.0', process: 'sshd' }],
  binaries: { '/usr/sbin/sshd': { sha256: 'aa', packaged: true } },
};

export function quiet(patch: Partial<DetectionInput> = {}): DetectionInput {
  return {
    nowMs: NOW,
    before: STATE,
    after: STATE,
    auth: { window: [], fresh: [] },
    knownLogins: new Set(),
    ownAddresses: new Set(['10.0.0.1']),
    ownKeys: new Set(['SHA256:steward']),
    processes: [],
    poolConnections: [],
    disks: [],
    thresholds: DEFAULT_THRESHOLDS,
    ...patch,
  };
}
