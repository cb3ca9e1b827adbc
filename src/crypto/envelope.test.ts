import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  associatedData,
  decodeEnvelope,
  ENVELOPE_OVERHEAD,
  IntegrityError,
  newDataKey,
  openBytes,
  readHeader,
  sealBytes,
  type SealContext,
} from './envelope.js';

const ctx: SealContext = { scope: 'org_a', table: 'credentials', column: 'value_sealed', row: 'cred_1' };
const key = newDataKey();

describe('envelope', () => {
  it('round-trips any plaintext and records the key version', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.integer({ min: 1, max: 0xffffffff }), (plain, version) => {
        const env = sealBytes(key, version, plain, associatedData(ctx, version));
        expect(env.length).toBe(plain.length + ENVELOPE_OVERHEAD);
        expect(readHeader(env).keyVersion).toBe(version);
        expect(openBytes(key, env, associatedData(ctx, version)).equals(Buffer.from(plain))).toBe(true);
      }),
    );
  });

  it('1,000 random bit flips anywhere in an envelope all fail with IntegrityError', () => {
    const env = sealBytes(key, 7, Buffer.from('a secret worth keeping'), associatedData(ctx, 7));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: env.length * 8 - 1 }), (bit) => {
        const flipped = Buffer.from(env);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        expect(() => openBytes(key, flipped, associatedData(ctx, 7))).toThrow(IntegrityError);
      }),
      { numRuns: 1000 },
    );
  });

  it('a ciphertext moved to another scope, table, column, row or key version does not open', () => {
    const env = sealBytes(key, 1, Buffer.from('db password'), associatedData(ctx, 1));
    const moves: SealContext[] = [
      { ...ctx, scope: 'org_b' },
      { ...ctx, table: 'servers' },
      { ...ctx, column: 'name_sealed' },
      { ...ctx, row: 'cred_2' },
    ];
    for (const moved of moves) expect(() => openBytes(key, env, associatedData(moved, 1))).toThrow(IntegrityError);
    const relabelled = Buffer.from(env);
    relabelled.writeUInt32BE(2, 1);
    expect(() => openBytes(key, relabelled, associatedData(ctx, 2))).toThrow(IntegrityError);
  });

  it('field boundaries cannot be shifted to forge the same associated data', () => {
    const a = associatedData({ scope: 'ab', table: 'c', column: 'd', row: 'e' }, 1);
    const b = associatedData({ scope: 'a', table: 'bc', column: 'd', row: 'e' }, 1);
    expect(a.equals(b)).toBe(false);
  });

  it('random garbage never crashes: only IntegrityError', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 41, maxLength: 300 })),
        (garbage) => {
          try {
            openBytes(key, garbage, associatedData(ctx, 1));
            expect.unreachable('garbage opened');
          } catch (err) {
            expect(err).toBeInstanceOf(IntegrityError);
          }
        },
      ),
      { numRuns: 10_000 },
    );
    for (const text of ['', '!!!', 'not base64 at all', 42, null, undefined, {}])
      expect(() => decodeEnvelope(text)).toThrow(IntegrityError);
  });
});
