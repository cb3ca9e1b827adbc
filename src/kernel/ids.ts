import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Id prefixes say what an id names, so a wrong id in the wrong place is easy to spot in logs. */
export type IdPrefix =
  | 'org'
  | 'usr'
  | 'mem'
  | 'inv'
  | 'ses'
  | 'tok'
  | 'cred'
  | 'aud'
  | 'job'
  | 'req'
  | 'key'
  | 'srv'
  | 'acct'
  | 'run'
  | 'snap'
  | 'grant'
  | 'sup'
  | 'msg'
  | 'term'
  | 'inc'
  | 'fnd'
  | 'alr'
  | 'mail'
  | 'cns'
  | 'dsc'
  | 'pol'
  | 'evt'
  | 'use'
  | 'rule'
  // billing, terms, staff undertaking, review, suspensions, recommendations
  | 'plan'
  | 'sub'
  | 'bill'
  | 'pay'
  | 'tos'
  | 'und'
  | 'rev'
  | 'susp'
  | 'rec'
  // backups
  | 'repo'
  | 'bplan'
  | 'bkup';

/**
 * A new id: prefix, 48 bits of time (so ids sort by creation) and 80 random bits.
 * Ids name things; they are not secrets and are never used as bearer tokens.
 */
export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  const time = BigInt(nowMs);
  for (let i = 0; i < 6; i++) bytes[i] = Number((time >> BigInt(8 * (5 - i))) & 0xffn);
  bytes.set(randomBytes(10), 6);
  return `${prefix}_${base32(bytes)}`;
}

const ID_PATTERN = /^[a-z]{2,5}_[0-9a-hjkmnp-tv-z]{26}$/;

export function looksLikeId(value: string, prefix?: IdPrefix): boolean {
  if (!ID_PATTERN.test(value)) return false;
  return prefix === undefined || value.startsWith(`${prefix}_`);
}

/** A random token with `bytes` bytes of entropy, base64url encoded (for session and API tokens). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
