/**
 * Turns a `HostKeyPolicy` into the `hostVerifier` ssh2 calls during key exchange. ssh2 sends the server's
 * raw key blob here before NEWKEYS; nothing about the user (name, password, key) has been sent yet, and
 * answering `false` makes ssh2 disconnect with KEY_EXCHANGE_FAILED. The verdict is recorded so the
 * connection can raise the right error afterwards.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '../kernel/errors.js';
import {
  describeHostKey,
  parseFingerprint,
  parseOpenSshPublicKey,
  sha256Fingerprint,
  type HostKeyPolicy,
  type PresentedHostKey,
} from './host-key.js';

/** A policy checked and decoded before any socket is opened. */
export type CompiledPolicy =
  | {
      readonly kind: 'pinned';
      readonly blobs: readonly Buffer[];
      readonly digests: readonly Buffer[];
      readonly keyTypes: readonly string[];
    }
  | { readonly kind: 'pin-on-first-contact'; readonly onFirstContact: (key: PresentedHostKey) => void | Promise<void> };

export type Verdict =
  | { readonly outcome: 'pending' }
  | { readonly outcome: 'accepted'; readonly presented: PresentedHostKey; readonly firstContact: boolean }
  | { readonly outcome: 'mismatch'; readonly presented: PresentedHostKey }
  | { readonly outcome: 'unknown'; readonly presented: PresentedHostKey }
  | { readonly outcome: 'first-contact-failed'; readonly presented: PresentedHostKey; readonly error: unknown };

/**
 * Validates a policy at run time as well as in the types: a missing or malformed policy must stop the
 * connection before it starts, because ssh2 silently accepts any key when it has no verifier.
 */
export function compileHostKeyPolicy(policy: HostKeyPolicy | undefined | null): CompiledPolicy {
  if (policy === undefined || policy === null || typeof policy !== 'object') {
    throw new AppError(
      'STEWARD_SSH_HOST_KEY_UNKNOWN',
      'No host-key policy was given; Steward never connects without one.',
      {
        reason: 'policy_missing',
      },
    );
  }
  if (policy.kind === 'pinned') {
    const parsed = (policy.keys ?? []).map(parseOpenSshPublicKey);
    const digests = (policy.fingerprints ?? []).map(parseFingerprint);
    return {
      kind: 'pinned',
      blobs: parsed.map((p) => p.blob),
      digests,
      keyTypes: [...new Set(parsed.map((p) => p.type))],
    };
  }
  if (policy.kind === 'pin-on-first-contact' && typeof policy.onFirstContact === 'function') {
    return { kind: 'pin-on-first-contact', onFirstContact: policy.onFirstContact };
  }
  throw new AppError('STEWARD_SSH_HOST_KEY_UNKNOWN', 'The host-key policy is not one Steward knows.', {
    reason: 'policy_invalid',
  });
}

/** SHA256 fingerprints the policy accepts, for error messages and the mismatch hook. */
export function expectedFingerprints(policy: CompiledPolicy): string[] {
  if (policy.kind !== 'pinned') return [];
  const fromDigests = policy.digests.map((d) => `SHA256:${d.toString('base64').replace(/=+$/, '')}`);
  return [...new Set([...policy.blobs.map(sha256Fingerprint), ...fromDigests])];
}

/**
 * Compares against every pin without stopping at the first hit, and each comparison is constant-time,
 * so the time taken says nothing about which pin (if any) was close.
 */
export function matchesPinned(policy: Extract<CompiledPolicy, { kind: 'pinned' }>, blob: Buffer): boolean {
  let matched = false;
  for (const pinned of policy.blobs) {
    const sameLength = pinned.length === blob.length;
    const equal = timingSafeEqual(sameLength ? pinned : blob, blob);
    matched = (sameLength && equal) || matched;
  }
  const digest = createHash('sha256').update(blob).digest();
  for (const pinned of policy.digests) {
    matched = timingSafeEqual(pinned, digest) || matched;
  }
  return matched;
}

export interface HostVerifier {
  /** Passed to ssh2 as `hostVerifier`; never given `hostHash`, so it receives the raw blob. */
  readonly verify: (key: Buffer, done: (ok: boolean) => void) => void;
  verdict(): Verdict;
}

export function createHostVerifier(policy: CompiledPolicy): HostVerifier {
  let verdict: Verdict = { outcome: 'pending' };
  const verify = (key: Buffer, done: (ok: boolean) => void): void => {
    const presented = describeHostKey(Buffer.from(key));
    if (policy.kind === 'pinned') {
      if (policy.blobs.length === 0 && policy.digests.length === 0) {
        verdict = { outcome: 'unknown', presented };
        done(false);
        return;
      }
      const ok = matchesPinned(policy, key);
      verdict = ok ? { outcome: 'accepted', presented, firstContact: false } : { outcome: 'mismatch', presented };
      done(ok);
      return;
    }
    // First contact: the key is trusted only once the caller has stored it.
    Promise.resolve()
      .then(() => policy.onFirstContact(presented))
      .then(
        () => {
          verdict = { outcome: 'accepted', presented, firstContact: true };
          done(true);
        },
        (error: unknown) => {
          verdict = { outcome: 'first-contact-failed', presented, error };
          done(false);
        },
      );
  };
  return { verify, verdict: () => verdict };
}
