import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeHostKey,
  keyTypeOfBlob,
  parseFingerprint,
  parseOpenSshPublicKey,
  sha256Fingerprint,
} from './host-key.js';
import { compileHostKeyPolicy, matchesPinned } from './host-key-verifier.js';
import { hostKeyAlgorithmsFor } from './algorithms.js';

/** Keys made by OpenSSH itself, so fingerprints are checked against `ssh-keygen -l`, not against ourselves. */
function opensshKey(type: 'ed25519' | 'ecdsa' | 'rsa'): { line: string; fingerprint: string } {
  const dir = mkdtempSync(join(tmpdir(), 'steward-hostkey-'));
  try {
    const file = join(dir, 'key');
    const made = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'a comment', '-f', file]);
    if (made.status !== 0) throw new Error(`ssh-keygen is needed (apt-get install -y openssh-client): ${made.stderr}`);
    const listed = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' });
    return {
      line: readFileSync(`${file}.pub`, 'utf8').trim(),
      fingerprint: /SHA256:\S+/.exec(listed.stdout)?.[0] ?? '',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('host key forms', () => {
  it.each(['ed25519', 'ecdsa', 'rsa'] as const)('computes the same fingerprint as ssh-keygen for %s', (type) => {
    const key = opensshKey(type);
    const { blob } = parseOpenSshPublicKey(key.line);
    expect(sha256Fingerprint(blob)).toBe(key.fingerprint);
    const described = describeHostKey(blob);
    expect(described.fingerprint).toBe(key.fingerprint);
    expect(`${described.publicKey} a comment`).toBe(key.line);
    expect(parseFingerprint(key.fingerprint)).toHaveLength(32);
  });

  it('rejects a line whose declared type disagrees with its blob, and junk', () => {
    const ed = opensshKey('ed25519').line.split(' ')[1];
    expect(() => parseOpenSshPublicKey(`ssh-rsa ${ed}`)).toThrow(
      expect.objectContaining({ code: 'STEWARD_INVALID_REMOTE_ARGUMENT' }),
    );
    for (const junk of ['', 'ssh-ed25519', 'ssh-ed25519 !!!', 'SHA256:abc'])
      expect(() => parseOpenSshPublicKey(junk)).toThrow();
    for (const junk of ['', 'SHA256:short', 'MD5:aa:bb', 'sha256:' + 'A'.repeat(43)])
      expect(() => parseFingerprint(junk)).toThrow();
    expect(keyTypeOfBlob(Buffer.from([0, 0, 0, 200, 1]))).toBeUndefined();
  });

  it('matches a blob against key pins and fingerprint pins, and nothing else', () => {
    const a = opensshKey('ed25519');
    const b = opensshKey('ed25519');
    const blobA = parseOpenSshPublicKey(a.line).blob;
    const byKey = compileHostKeyPolicy({ kind: 'pinned', keys: [b.line, a.line] });
    const byPrint = compileHostKeyPolicy({ kind: 'pinned', fingerprints: [a.fingerprint] });
    const other = compileHostKeyPolicy({ kind: 'pinned', keys: [b.line], fingerprints: [b.fingerprint] });
    if (byKey.kind !== 'pinned' || byPrint.kind !== 'pinned' || other.kind !== 'pinned') throw new Error('unexpected');
    expect(matchesPinned(byKey, blobA)).toBe(true);
    expect(matchesPinned(byPrint, blobA)).toBe(true);
    expect(matchesPinned(other, blobA)).toBe(false);
    expect(matchesPinned(other, blobA.subarray(0, 10))).toBe(false);
  });

  it('puts pinned key types first in the host-key algorithms it offers', () => {
    const rsa = compileHostKeyPolicy({ kind: 'pinned', keys: [opensshKey('rsa').line] });
    expect(hostKeyAlgorithmsFor(rsa).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-ed25519']);
    expect(hostKeyAlgorithmsFor(compileHostKeyPolicy({ kind: 'pinned' }))[0]).toBe('ssh-ed25519');
  });
});
