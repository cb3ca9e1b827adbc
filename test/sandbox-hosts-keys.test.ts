import { describe, expect, it } from 'vitest';
import { sshExec, useFleet } from '../testkit/fleet.js';

describe('host key types', () => {
  const fleet = useFleet({ count: 1, hostKeyTypes: ['rsa', 'ecdsa', 'ed25519'], spec: () => ({ name: 'keyed' }) });

  it('serves every requested type, each as the client sees it', async () => {
    const host = fleet.hosts[0]!;
    const login = { username: 'root', privateKey: fleet.clientKey.privateKey };
    expect(host.hostKeys.map((k) => k.type).sort()).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519', 'ssh-rsa']);
    for (const [algorithm, type] of [
      ['rsa-sha2-512', 'ssh-rsa'],
      ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
      ['ssh-ed25519', 'ssh-ed25519'],
    ] as const) {
      const result = await sshExec(host, login, 'true', { hostKeyAlgorithms: [algorithm] });
      const expected = host.hostKeys.find((k) => k.type === type)!;
      expect(result.hostKey).toBe(expected.publicKey.split(' ')[1]);
    }
  });

  it('regenerates all of them', async () => {
    const host = fleet.hosts[0]!;
    const before = host.hostKeys.map((k) => k.sha256);
    await host.regenerateHostKeys();
    expect(host.hostKeys).toHaveLength(3);
    for (const key of host.hostKeys) expect(before).not.toContain(key.sha256);
  });
});
