import { describe, expect, it } from 'vitest';
import { ed25519PublicKey, rsaPublicKey } from '../testkit/providers/ssh-keys.js';
import { RequestRejectedError } from '../src/providers/errors.js';
import { parsePublicKey } from '../src/providers/ssh-key.js';

describe('parsePublicKey', () => {
  it('reads Ed25519 and RSA keys with their OpenSSH fingerprints', () => {
    for (const key of [ed25519PublicKey('me@host'), rsaPublicKey('me@host')]) {
      const parsed = parsePublicKey(`  ${key.publicKey}\n`, 'ec2');
      expect(parsed.sha256).toBe(key.sha256);
      expect(parsed.comment).toBe('me@host');
      expect(key.publicKey.startsWith(parsed.line)).toBe(true);
    }
  });

  it.each([
    ['', 'unknown key type'],
    ['ssh-dss AAAA', 'unknown key type'],
    ['ssh-ed25519 ***', 'not base64'],
    ['ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB', 'does not match'],
    ['ssh-ed25519 AAAA\nssh-ed25519 AAAA', 'exactly one'],
  ])('refuses %j', (text, why) => {
    expect(() => parsePublicKey(text, 'elastichosts')).toThrow(RequestRejectedError);
    expect(() => parsePublicKey(text, 'elastichosts')).toThrow(why);
  });
});
