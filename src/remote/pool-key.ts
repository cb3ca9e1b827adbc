/**
 * Pool keys. Two calls share a connection only if they go to the same host and port, as the same user,
 * with the same credential and the same host-key trust decision. The credential part is an HMAC under a
 * key that lives only as long as the executor, so a pool key in a log or heap dump reveals nothing
 * that could be checked against a guessed password.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { HostKeyPolicy } from './host-key.js';
import { expectedFingerprints, type CompiledPolicy } from './host-key-verifier.js';
import type { SshAuth } from './target.js';

export interface PoolKeyer {
  credentialId(auth: SshAuth): string;
}

export function createPoolKeyer(): PoolKeyer {
  const key = randomBytes(32);
  return {
    credentialId(auth) {
      const mac = createHmac('sha256', key).update(auth.kind).update('\0');
      if (auth.kind === 'password') mac.update(auth.password.reveal());
      else
        mac
          .update(auth.privateKey.reveal())
          .update('\0')
          .update(auth.passphrase?.reveal() ?? '');
      return mac.digest('base64url').slice(0, 22);
    },
  };
}

/** The trust decision in a pool key: the sorted pinned fingerprints, or first contact. */
export function policyId(policy: HostKeyPolicy, compiled: CompiledPolicy): string {
  if (policy.kind === 'pin-on-first-contact') return 'first-contact';
  return `pinned:${expectedFingerprints(compiled).sort().join(',')}`;
}

export function hostKeyOf(host: string, port: number): string {
  return `${host.toLowerCase()}:${port}`;
}
