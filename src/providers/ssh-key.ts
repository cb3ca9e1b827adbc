import { createHash } from 'node:crypto';
import { RequestRejectedError } from './errors.js';
import type { ProviderName } from './types.js';

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

export interface PublicKey {
  readonly type: string;
  /** The key blob, base64 as in authorized_keys. */
  readonly base64: string;
  readonly comment: string;
  /** `type base64` without the comment: the canonical line we send to providers. */
  readonly line: string;
  /** OpenSSH's `SHA256:…` fingerprint. */
  readonly sha256: string;
}

/**
 * Parses one OpenSSH public key line (`type base64 [comment]`) and checks that the blob names the same type,
 * so garbage is refused here rather than by the provider or, worse, on the first failed login.
 */
export function parsePublicKey(text: string, provider: ProviderName): PublicKey {
  const fail = (why: string): never => {
    throw new RequestRejectedError(`The SSH public key is not valid: ${why}.`, {
      provider,
      operation: 'parsePublicKey',
    });
  };
  const trimmed = text.trim();
  if (trimmed.includes('\n')) fail('give exactly one key line');
  const [type = '', base64 = '', ...rest] = trimmed.split(/\s+/);
  if (!KEY_TYPES.has(type)) fail(`unknown key type "${type.slice(0, 40)}"`);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) fail('the key data is not base64');
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 8) fail('the key data is too short');
  const nameLength = blob.readUInt32BE(0);
  if (nameLength > blob.length - 4 || blob.subarray(4, 4 + nameLength).toString('latin1') !== type) {
    fail('the key data does not match its type');
  }
  const sha256 = `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
  return { type, base64, comment: rest.join(' '), line: `${type} ${base64}`, sha256 };
}
