import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import type { HostKey, HostKeyType } from './types.js';

export const ALL_HOST_KEY_TYPES: readonly HostKeyType[] = ['rsa', 'ecdsa', 'ed25519'];

export function hostKeyFile(dir: string, type: HostKeyType): string {
  return join(dir, `ssh_host_${type}_key`);
}

/** Parses an OpenSSH `.pub` line (`type base64 [comment]`) into the form clients compare against. */
export function parsePublicKey(line: string): HostKey {
  const [type, blob] = line.trim().split(/\s+/);
  if (!type || !blob || !/^[A-Za-z0-9+/]+=*$/.test(blob)) {
    throw new AppError('STEWARD_TESTHOSTS_SETUP_FAILED', `Not an OpenSSH public key: ${line.slice(0, 80)}`);
  }
  const sha256 = createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '');
  return { type, publicKey: `${type} ${blob}`, sha256: `SHA256:${sha256}` };
}

/** Reads the public halves of the given key types from a folder holding `ssh_host_<type>_key.pub`. */
export function readHostKeys(dir: string, types: readonly HostKeyType[]): HostKey[] {
  return types.map((type) => parsePublicKey(readFileSync(`${hostKeyFile(dir, type)}.pub`, 'utf8')));
}
