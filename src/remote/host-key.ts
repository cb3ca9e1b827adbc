/**
 * Host keys as Steward stores and compares them: the raw SSH public-key blob, its OpenSSH one-line form
 * (`ssh-ed25519 AAAA…`) and its SHA256 fingerprint in OpenSSH's notation (`SHA256:` + unpadded base64).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../kernel/errors.js';

/** A host key as the server presented it, in the forms the core stores and shows to people. */
export interface PresentedHostKey {
  /** Key type from the blob, e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly type: string;
  /** OpenSSH public-key line without comment: `<type> <base64 blob>`. */
  readonly publicKey: string;
  /** `SHA256:<unpadded base64>`, as `ssh-keygen -lf` prints it. */
  readonly fingerprint: string;
}

/**
 * How a connection decides whether the server is the one we mean. Every connection needs one; there is
 * no "accept anything" policy.
 *
 * - `pinned`: the server must present one of `keys` (OpenSSH public-key lines) or a key whose SHA256
 *   fingerprint is in `fingerprints` (for out-of-band sources such as a cloud console log). Raw key bytes
 *   and digests are compared in constant time during key exchange. With neither list filled the host is
 *   unknown: the connection stops at key exchange with `STEWARD_SSH_HOST_KEY_UNKNOWN`, reporting the
 *   presented key so a person can compare it out of band.
 * - `pin-on-first-contact`: trust whatever key the server presents this first time and hand it to
 *   `onFirstContact` to store; the handshake waits for that promise, and fails if it rejects. Only for a
 *   caller that has decided, and shown the customer, that this is an unverified first contact.
 */
export type HostKeyPolicy =
  | {
      readonly kind: 'pinned';
      readonly keys?: readonly string[];
      readonly fingerprints?: readonly string[];
    }
  | {
      readonly kind: 'pin-on-first-contact';
      readonly onFirstContact: (key: PresentedHostKey) => void | Promise<void>;
    };

const FINGERPRINT = /^SHA256:([A-Za-z0-9+/]{43})=?$/;

/** OpenSSH's fingerprint of a public-key blob. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The type name at the start of an SSH public-key blob (a uint32 length, then the name). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || blob.length < 4 + length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[a-z0-9@.-]+$/.test(type) ? type : undefined;
}

export function describeHostKey(blob: Buffer): PresentedHostKey {
  const type = keyTypeOfBlob(blob) ?? 'unknown';
  return { type, publicKey: `${type} ${blob.toString('base64')}`, fingerprint: sha256Fingerprint(blob) };
}

/** Reads `<type> <base64> [comment]` and checks that the blob says the same type as the line. */
export function parseOpenSshPublicKey(line: string): { type: string; blob: Buffer } {
  const parts = typeof line === 'string' ? line.trim().split(/\s+/) : [];
  const [type, data] = parts;
  if (type === undefined || data === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) {
    throw invalidPin('A pinned host key must be an OpenSSH public-key line ("ssh-ed25519 AAAA…").');
  }
  const blob = Buffer.from(data, 'base64');
  if (keyTypeOfBlob(blob) !== type)
    throw invalidPin(`A pinned host key says "${type.slice(0, 40)}" but holds another key type.`);
  return { type, blob };
}

/** The 32-byte SHA-256 digest inside an OpenSSH fingerprint string. */
export function parseFingerprint(fingerprint: string): Buffer {
  const match = typeof fingerprint === 'string' ? FINGERPRINT.exec(fingerprint.trim()) : null;
  if (!match?.[1]) throw invalidPin('A pinned fingerprint must look like "SHA256:" followed by 43 base64 characters.');
  return Buffer.from(match[1], 'base64');
}

function invalidPin(message: string): AppError {
  return new AppError('STEWARD_INVALID_REMOTE_ARGUMENT', message, { field: 'hostKey' });
}
