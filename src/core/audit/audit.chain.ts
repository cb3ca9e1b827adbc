/**
 * The arithmetic of the audit chain, with no I/O: each row's own HMAC (written with the row), the chain hash the
 * sealer gives it, and the signed checkpoints of the sealed head. See docs/decisions/0019-audit-sealer.md.
 */
import { createHmac, createPrivateKey, createPublicKey, sign, verify, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { deriveKey } from '../../crypto/keys.js';
import type { AuditLogTable } from '../../db/schema.js';

export type AuditRow = AuditLogTable;

/** What a writer knows of its row: everything but the positions and the links. */
export type AuditContent = Omit<AuditRow, 'seq' | 'row_mac' | 'chain_seq' | 'prev_hash' | 'hash'>;

const CONTENT_FIELDS = [
  'id',
  'at',
  'org_id',
  'actor_type',
  'actor_id',
  'action',
  'target_type',
  'target_id',
  'result',
  'request_id',
  'ip',
  'details',
] as const satisfies readonly (keyof AuditContent)[];

/** The row's own HMAC: lets the sealer refuse a row written or changed by anyone without the key. */
export function rowMac(key: Uint8Array, row: AuditContent): string {
  const canonical = JSON.stringify(['row', ...CONTENT_FIELDS.map((f) => row[f] ?? null)]);
  return createHmac('sha256', key).update(canonical).digest('base64url');
}

/**
 * A sealed row's link: covers its chain position, its content, the previous row's hash and (for rows written
 * since the sealer) its own HMAC. Rows chained before the sealer hash exactly as they did then.
 */
export function chainHash(
  key: Uint8Array,
  row: AuditContent & { chain_seq: number; prev_hash: string; row_mac: string | null },
): string {
  const fields: unknown[] = [row.chain_seq, ...CONTENT_FIELDS.map((f) => row[f] ?? null), row.prev_hash];
  if (row.row_mac !== null) fields.push(row.row_mac);
  return createHmac('sha256', key).update(JSON.stringify(fields)).digest('base64url');
}

export function sameMac(a: string | null, b: string): boolean {
  if (a === null) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A signed statement that the sealed chain reached `chainSeq` with `hash` at `at`. */
export interface Checkpoint {
  readonly chainSeq: number;
  readonly hash: string;
  readonly at: string;
  readonly signature: string;
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The checkpoint signing key, derived from the audit key: an Ed25519 pair whose public half anyone may hold. */
export function checkpointKeys(auditKey: Uint8Array): { privateKey: KeyObject; publicKey: string } {
  const seed = deriveKey(auditKey, 'audit-checkpoint', 32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: String(jwk.x) };
}

/** The exact bytes a checkpoint signs (documented in docs/audit-events.md for customers who check them). */
export function checkpointStatement(c: Pick<Checkpoint, 'chainSeq' | 'hash' | 'at'>): string {
  return `steward-audit-checkpoint/1\n${c.chainSeq}\n${c.hash}\n${c.at}\n`;
}

export function signCheckpoint(privateKey: KeyObject, c: Omit<Checkpoint, 'signature'>): Checkpoint {
  const signature = sign(null, Buffer.from(checkpointStatement(c)), privateKey).toString('base64url');
  return { ...c, signature };
}

/** True when `c` was signed by the holder of `publicKey` (base64url raw Ed25519). */
export function checkpointValid(publicKey: string, c: Checkpoint): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(checkpointStatement(c)), key, Buffer.from(c.signature, 'base64url'));
  } catch {
    return false;
  }
}
