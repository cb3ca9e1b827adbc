import { describe, expect, it } from 'vitest';
import { formatRootKeyRing, keyCheckMatches, keyCheckValue, newRootKey, parseRootKeyRing } from './keys.js';
import { totpAt, verifyTotp } from './totp.js';

describe('root key ring', () => {
  it('parses what it formats, with versions', () => {
    const ring = new Map([
      [1, newRootKey()],
      [3, newRootKey()],
    ]);
    const parsed = parseRootKeyRing(formatRootKeyRing(ring), 'test');
    expect([...parsed.keys()]).toEqual([1, 3]);
    expect(parsed.get(3)!.equals(ring.get(3)!)).toBe(true);
  });

  it('takes a bare base64 key as version 1 and refuses wrong lengths and repeats', () => {
    const k = newRootKey();
    expect(parseRootKeyRing(k.toString('base64'), 't').get(1)!.equals(k)).toBe(true);
    expect(() => parseRootKeyRing(Buffer.alloc(16).toString('base64'), 't')).toThrow(/32 bytes/);
    expect(() => parseRootKeyRing(`v1:${k.toString('base64')},v1:${k.toString('base64')}`, 't')).toThrow(/repeated/);
    expect(() => parseRootKeyRing('', 't')).toThrow(/no root key/);
  });

  it('key-check values tell the right key from a wrong one', () => {
    const k = newRootKey();
    const kcv = keyCheckValue(k);
    expect(keyCheckMatches(k, kcv)).toBe(true);
    expect(keyCheckMatches(newRootKey(), kcv)).toBe(false);
  });
});

describe('TOTP (RFC 6238 test vector, SHA-1)', () => {
  const secret = Buffer.from('12345678901234567890');
  it('matches the published codes', () => {
    // RFC 6238 appendix B, truncated to 6 digits.
    expect(totpAt(secret, Math.floor(59 / 30))).toBe('287082');
    expect(totpAt(secret, Math.floor(1111111109 / 30))).toBe('081804');
    expect(totpAt(secret, Math.floor(1234567890 / 30))).toBe('005924');
  });
  it('accepts one step of drift and nothing beyond', () => {
    const now = 1234567890_000;
    const step = Math.floor(now / 30000);
    expect(verifyTotp(secret, totpAt(secret, step - 1), now)).toBe(step - 1);
    expect(verifyTotp(secret, totpAt(secret, step + 2), now)).toBeUndefined();
    expect(verifyTotp(secret, 'abcdef', now)).toBeUndefined();
  });
});
