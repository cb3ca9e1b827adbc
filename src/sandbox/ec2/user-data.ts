import { gunzipSync } from 'node:zlib';

const KEY_LINE =
  /(?:ssh-(?:ed25519|rsa|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)\s+[A-Za-z0-9+/]{16,}={0,3}/g;

/**
 * SSH public keys found in instance user data (base64 as RunInstances carries it). cloud-config
 * `ssh_authorized_keys`, shell scripts appending to authorized_keys and MIME bundles all carry keys as plain
 * `type base64` text, so scanning for that shape covers them without parsing each format; gzip is undone first,
 * as cloud-init would.
 */
export function keysFromUserData(base64: string | undefined): string[] {
  if (base64 === undefined || base64 === '') return [];
  let bytes = Buffer.from(base64, 'base64');
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return [];
    }
  }
  return [...new Set(bytes.toString('utf8').match(KEY_LINE) ?? [])];
}
