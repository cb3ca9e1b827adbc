import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../kernel/errors.js';

/**
 * The sealed-value format. Every secret and personal field Steward stores is one of these:
 *
 *   format (1 byte, 0x01) | key version (4 bytes, big-endian) | nonce (12 bytes) | AES-256-GCM ciphertext | tag (16 bytes)
 *
 * The associated data (see `associatedData`) names where the value lives — scope, table, column, row — and the
 * key version, so a ciphertext copied to another organisation, row or column, or relabelled with another key
 * version, fails its tag check instead of opening.
 */
export const ENVELOPE_FORMAT = 0x01;
const HEADER_BYTES = 1 + 4;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const ENVELOPE_OVERHEAD = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;

/** A sealed value failed to open: tampered, moved, truncated, unknown format, or the wrong key. */
export class IntegrityError extends AppError {
  constructor(reason: string) {
    super('STEWARD_INTEGRITY', `A sealed value failed its integrity check (${reason}).`);
    this.name = 'IntegrityError';
  }
}

/** Where a sealed value lives; bound into its associated data. */
export interface SealContext {
  /** The key scope: an organisation id, a user id, or a `system:` name. */
  readonly scope: string;
  readonly table: string;
  readonly column: string;
  readonly row: string;
}

/** Length-prefixed fields, so no choice of names can make two different contexts encode alike. */
export function associatedData(ctx: SealContext, keyVersion: number): Buffer {
  const parts = ['steward-aad-v1', ctx.scope, ctx.table, ctx.column, ctx.row, String(keyVersion)];
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    chunks.push(len, bytes);
  }
  return Buffer.concat(chunks);
}

export function sealBytes(key: Uint8Array, keyVersion: number, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  if (key.length !== KEY_BYTES) throw new Error('seal: key must be 32 bytes');
  if (!Number.isInteger(keyVersion) || keyVersion < 1 || keyVersion > 0xffffffff)
    throw new Error('seal: bad key version');
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt8(ENVELOPE_FORMAT, 0);
  header.writeUInt32BE(keyVersion, 1);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  // The header is authenticated too, so no byte of the envelope can change unnoticed.
  cipher.setAAD(Buffer.concat([header, aad]));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return Buffer.concat([header, nonce, body, final, cipher.getAuthTag()]);
}

export interface EnvelopeHeader {
  readonly format: number;
  readonly keyVersion: number;
}

/** Reads the header without opening; throws IntegrityError on anything that is not a well-formed envelope. */
export function readHeader(envelope: Uint8Array): EnvelopeHeader {
  if (!(envelope instanceof Uint8Array)) throw new IntegrityError('not bytes');
  if (envelope.length < ENVELOPE_OVERHEAD) throw new IntegrityError('too short');
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const format = buf.readUInt8(0);
  if (format !== ENVELOPE_FORMAT) throw new IntegrityError('unknown format');
  const keyVersion = buf.readUInt32BE(1);
  if (keyVersion < 1) throw new IntegrityError('bad key version');
  return { format, keyVersion };
}

export function openBytes(key: Uint8Array, envelope: Uint8Array, aad: Uint8Array): Buffer {
  readHeader(envelope);
  const buf = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength);
  const nonce = buf.subarray(HEADER_BYTES, HEADER_BYTES + NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(HEADER_BYTES + NONCE_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.concat([buf.subarray(0, HEADER_BYTES), aad]));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new IntegrityError('authentication failed');
  }
}

/** Text form for storage: base64url of the envelope bytes. */
export const encodeEnvelope = (envelope: Uint8Array): string => Buffer.from(envelope).toString('base64url');

export function decodeEnvelope(text: unknown): Buffer {
  if (typeof text !== 'string' || text.length === 0 || !/^[A-Za-z0-9_-]+$/.test(text))
    throw new IntegrityError('not an encoded envelope');
  return Buffer.from(text, 'base64url');
}

export const newDataKey = (): Buffer => randomBytes(KEY_BYTES);
