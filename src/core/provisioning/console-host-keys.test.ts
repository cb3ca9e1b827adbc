import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hostKeysFromConsole, preferredHostKey } from './console-host-keys.js';

const sshString = (b: Buffer): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);

function ed25519(): string {
  const x = Buffer.from(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return `ssh-ed25519 ${Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(x)]).toString('base64')}`;
}

function ecdsa(): string {
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  const blob = Buffer.concat([
    sshString(Buffer.from('ecdsa-sha2-nistp256')),
    sshString(Buffer.from('nistp256')),
    sshString(point),
  ]);
  return `ecdsa-sha2-nistp256 ${blob.toString('base64')}`;
}

const block = (...lines: string[]) =>
  ['-----BEGIN SSH HOST KEY KEYS-----', ...lines, '-----END SSH HOST KEY KEYS-----'].join('\r\n');

describe('host keys from a console', () => {
  it('reads the last complete block, keeps valid keys only, and prefers Ed25519', () => {
    const old = ed25519();
    const [ec, ed] = [ecdsa(), ed25519()];
    const text = [
      'Cloud-init v. 22.4.2 running',
      block(`${old} root@web`),
      'reboot: Restarting system',
      block(`${ec} root@web`, `<14>Dec  4 ec2: ${ed} root@web`, 'ssh-ed25519 AAAAC3NzaC1yc2EAAAADAQABAAABAQ== forged'),
      '-----BEGIN SSH HOST KEY KEYS-----',
      `${ed25519()} root@unfinished`,
    ].join('\n');
    const keys = hostKeysFromConsole(text);
    expect(keys.map((k) => k.publicKey)).toEqual([ec, ed]);
    expect(preferredHostKey(keys)?.publicKey).toBe(ed);
    expect(preferredHostKey(keys.filter((k) => k.type !== 'ssh-ed25519'))?.type).toBe('ecdsa-sha2-nistp256');
  });

  it('finds nothing without a block, or before its end is printed', () => {
    expect(hostKeysFromConsole(undefined)).toEqual([]);
    expect(hostKeysFromConsole(`${ed25519()} root@web`)).toEqual([]);
    expect(hostKeysFromConsole(`-----BEGIN SSH HOST KEY KEYS-----\n${ed25519()}\n`)).toEqual([]);
    expect(preferredHostKey([])).toBeUndefined();
  });
});
