import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../kernel/errors.js';
import { KEY_BYTES } from './envelope.js';

/**
 * The root key ring: one or more versioned 32-byte keys, written `v1:<base64>,v2:<base64>` (commas or newlines
 * between entries). A bare base64 key is version 1. Several versions are present only while a root-key
 * rotation runs.
 */
export type RootKeyRing = ReadonlyMap<number, Buffer>;

export function parseRootKeyRing(text: string, origin: string): RootKeyRing {
  const ring = new Map<number, Buffer>();
  const entries = text.split(/[\s,]+/).filter((e) => e.length > 0);
  if (entries.length === 0) throw new AppError('STEWARD_CONFIG_INVALID', `${origin} holds no root key.`);
  for (const entry of entries) {
    const match = /^(?:v(\d{1,9}):)?([A-Za-z0-9+/=_-]+)$/.exec(entry);
    if (!match)
      throw new AppError(
        'STEWARD_CONFIG_INVALID',
        `${origin} is not a root key ring (expected v1:<base64 of 32 bytes>).`,
      );
    const version = match[1] === undefined ? 1 : Number(match[1]);
    const key = Buffer.from(match[2]!, match[2]!.includes('-') || match[2]!.includes('_') ? 'base64url' : 'base64');
    if (key.length !== KEY_BYTES)
      throw new AppError(
        'STEWARD_CONFIG_INVALID',
        `${origin}: root key v${version} must be 32 bytes (got ${key.length}).`,
      );
    if (version < 1 || ring.has(version))
      throw new AppError('STEWARD_CONFIG_INVALID', `${origin}: root key version v${version} is invalid or repeated.`);
    ring.set(version, key);
  }
  return ring;
}

export function formatRootKeyRing(ring: RootKeyRing): string {
  return (
    [...ring.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([v, k]) => `v${v}:${k.toString('base64')}`)
      .join('\n') + '\n'
  );
}

export const newRootKey = (): Buffer => randomBytes(KEY_BYTES);

/**
 * A key-check value: proves a root key is the one the database was sealed with, without revealing it and
 * without trying to decrypt anything (a wrong key is detected, never "decrypted to garbage").
 */
export function keyCheckValue(key: Uint8Array): string {
  return createHmac('sha256', key).update('steward root key check v1').digest('base64url').slice(0, 22);
}

export function keyCheckMatches(key: Uint8Array, expected: string): boolean {
  const actual = Buffer.from(keyCheckValue(key));
  const want = Buffer.from(expected);
  return actual.length === want.length && timingSafeEqual(actual, want);
}

/** Derives a purpose-bound subkey (HKDF-SHA256), so one stored key never serves two purposes. */
export function deriveKey(key: Uint8Array, purpose: string, length = KEY_BYTES): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `steward:${purpose}`, length));
}

/** Keyed hash (HMAC-SHA256, base64url). Used for blind indexes and for secrets named in the audit log. */
export function keyedHash(key: Uint8Array, value: string | Uint8Array): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

/** The normal form of an e-mail address for lookups: trimmed and lower-cased. */
export const normaliseEmail = (email: string): string => email.trim().toLowerCase();
