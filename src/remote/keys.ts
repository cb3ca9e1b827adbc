/**
 * SSH key pairs Steward generates for itself (one per organisation). ssh2's generator occasionally emits an
 * ed25519 key it cannot parse back, so every key is parsed before it is handed out, and regenerated if not.
 */
import ssh2 from 'ssh2';
import { AppError } from '../kernel/errors.js';
import { Secret } from '../kernel/secret.js';
import { describeHostKey } from './host-key.js';

export interface GeneratedKeyPair {
  /** OpenSSH private key (PEM-like text). */
  readonly privateKey: Secret<string>;
  /** `ssh-ed25519 AAAA… comment`, ready for authorized_keys. */
  readonly publicKey: string;
  /** `SHA256:…` of the public key. */
  readonly fingerprint: string;
}

export function generateEd25519KeyPair(comment: string): GeneratedKeyPair {
  if (!/^[A-Za-z0-9@._:-]{1,100}$/.test(comment))
    throw new AppError('STEWARD_INVALID_INPUT', 'A key comment may hold letters, digits and @._:- only.');
  for (let attempt = 0; attempt < 10; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    const parsed = ssh2.utils.parseKey(pair.private);
    if (parsed instanceof Error || Array.isArray(parsed)) continue;
    const described = describeHostKey(parsed.getPublicSSH());
    return {
      privateKey: new Secret(pair.private),
      publicKey: `${described.publicKey} ${comment}`,
      fingerprint: described.fingerprint,
    };
  }
  throw new AppError('STEWARD_INTERNAL', 'Could not generate a usable SSH key pair.');
}
