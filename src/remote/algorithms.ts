/**
 * The transport algorithms Steward offers, most preferred first. Exact lists rather than ssh2's defaults
 * minus a few, so a review sees everything we accept. ssh2 appends `kex-strict-c-v00@openssh.com` (strict
 * KEX, the Terrapin fix) to any custom list; we never remove it.
 */
import type { Algorithms } from 'ssh2';
import type { CompiledPolicy } from './host-key-verifier.js';

const KEX = [
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp256',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group16-sha512',
  'diffie-hellman-group18-sha512',
  'diffie-hellman-group14-sha256',
] as const;

/** `ssh-rsa` (SHA-1 signatures) is left out; RSA host keys still work through the rsa-sha2 names. */
const HOST_KEY = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
] as const;

/** AEAD first; AES-GCM before ChaCha20 because servers and this process have AES instructions. */
const CIPHER = [
  'aes128-gcm@openssh.com',
  'aes256-gcm@openssh.com',
  'chacha20-poly1305@openssh.com',
  'aes256-ctr',
  'aes192-ctr',
  'aes128-ctr',
] as const;

/** Only used with the CTR ciphers; encrypt-then-MAC first, no SHA-1. */
const HMAC = [
  'hmac-sha2-256-etm@openssh.com',
  'hmac-sha2-512-etm@openssh.com',
  'hmac-sha2-256',
  'hmac-sha2-512',
] as const;

/** Signature algorithms a server may use for a host key of the given blob type. */
function signatureNamesFor(keyType: string): string[] {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256'];
  return (HOST_KEY as readonly string[]).includes(keyType) ? [keyType] : [];
}

/**
 * A server with several host keys presents the one matching our first acceptable algorithm, so the pinned
 * key types go first, as OpenSSH does for hosts in known_hosts. Otherwise a server pinned by its RSA key
 * would show its Ed25519 key and look like a changed host.
 */
export function hostKeyAlgorithmsFor(policy: CompiledPolicy): string[] {
  if (policy.kind !== 'pinned' || policy.keyTypes.length === 0) return [...HOST_KEY];
  const preferred = policy.keyTypes.flatMap(signatureNamesFor);
  return [...new Set([...preferred, ...HOST_KEY])];
}

export function transportAlgorithms(policy: CompiledPolicy): Algorithms {
  return {
    kex: [...KEX],
    serverHostKey: hostKeyAlgorithmsFor(policy),
    cipher: [...CIPHER],
    hmac: [...HMAC],
    compress: ['none'],
  } as Algorithms;
}
