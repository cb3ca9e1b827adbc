import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ed25519Blob, generateCaKey, parsePublicKeyLine, signUserCertificate } from './ssh-cert.js';

/** ssh-keygen -L reads our certificates the way sshd will: the fields must come back exactly. */
describe('OpenSSH user certificates signed in TypeScript', () => {
  it('ssh-keygen reads every field back, and lists no forwarding permission', () => {
    const ca = generateCaKey('steward-ca-test');
    const user = generateKeyPairSync('ed25519');
    const userLine = `ssh-ed25519 ${ed25519Blob(user.publicKey).toString('base64')} staff@example`;
    const validAfter = new Date(Date.UTC(2030, 0, 1, 10, 0, 0));
    const validBefore = new Date(Date.UTC(2030, 0, 1, 11, 0, 0));
    const cert = signUserCertificate(
      {
        publicKey: parsePublicKeyLine(userLine),
        serial: 42n,
        keyId: 'grant_test',
        principals: ['staff-grant_test@srv_test'],
        validAfter,
        validBefore,
        criticalOptions: { 'source-address': '127.0.0.1/32' },
        extensions: ['permit-pty'],
      },
      { privateKey: createPrivateKey(ca.privatePem) },
      'grant_test',
    );
    const dir = mkdtempSync(join(tmpdir(), 'steward-cert-'));
    try {
      writeFileSync(join(dir, 'id-cert.pub'), `${cert}\n`);
      const out = execFileSync('ssh-keygen', ['-L', '-f', join(dir, 'id-cert.pub')], {
        encoding: 'utf8',
        env: { TZ: 'UTC', PATH: process.env.PATH ?? '/usr/bin' },
      });
      expect(out).toContain('Type: ssh-ed25519-cert-v01@openssh.com user certificate');
      expect(out).toContain(`Signing CA: ED25519 ${ca.fingerprint}`);
      expect(out).toContain('Key ID: "grant_test"');
      expect(out).toContain('Serial: 42');
      expect(out).toContain('Valid: from 2030-01-01T10:00:00 to 2030-01-01T11:00:00');
      expect(out).toMatch(/Principals:\s+staff-grant_test@srv_test/);
      expect(out).toMatch(/Critical Options:\s+source-address 127\.0\.0\.1\/32/);
      expect(out).toMatch(/Extensions:\s+permit-pty\s*$/);
      for (const forbidden of [
        'permit-agent-forwarding',
        'permit-port-forwarding',
        'permit-X11-forwarding',
        'permit-user-rc',
      ])
        expect(out).not.toContain(forbidden);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses keys that are not OpenSSH public keys', () => {
    expect(() => parsePublicKeyLine('ssh-dss AAAA')).toThrow(/cannot be certified/);
    expect(() => parsePublicKeyLine('justoneword')).toThrow(/OpenSSH public key/);
    expect(() =>
      parsePublicKeyLine(`ssh-ed25519 ${Buffer.from('\u0000\u0000\u0000\u0007ssh-rsa').toString('base64')}`),
    ).toThrow(/does not match/);
  });
});
