import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePublicKey } from './host-keys.js';
import { generateHostKey } from './openssh-keys.js';

describe('generateHostKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steward-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // ssh-keygen is the judge: it must read our private key, derive the same public key and fingerprint.
  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('writes %s keys OpenSSH reads back', async (type) => {
    const key = await generateHostKey(type, 'root@judge');
    const file = join(dir, type);
    writeFileSync(file, key.privateKey, { mode: 0o600 });
    writeFileSync(`${file}.pub`, key.publicKey);
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' });
    expect(parsePublicKey(derived).publicKey).toBe(parsePublicKey(key.publicKey).publicKey);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], {
      encoding: 'utf8',
    }).split(' ')[1];
    expect(parsePublicKey(key.publicKey).sha256).toBe(fingerprint);
    expect(key.publicKey.trim().endsWith(' root@judge')).toBe(true);
  });

  it('makes a different key every time', async () => {
    const [a, b] = await Promise.all([generateHostKey('ed25519', 'x'), generateHostKey('ed25519', 'x')]);
    expect(a.publicKey).not.toBe(b.publicKey);
  });
});
