/**
 * OpenSSH public keys: authorized_keys lines (sshd(8) AUTHORIZED_KEYS FILE FORMAT: optional options, key type,
 * base64 blob, optional comment) and host key .pub files. The SHA256 fingerprint and the key size are
 * computed from the blob, exactly as `ssh-keygen -lf` does, so the server needs no ssh-keygen.
 */
import { createHash } from 'node:crypto';
import { splitLines } from './util.js';

export interface PublicKey {
  readonly type: string;
  readonly bits: number | null;
  readonly fingerprint: string;
  readonly comment: string;
  readonly options: string[];
}

const KEY_TYPE =
  /^(ssh-(rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|[a-z0-9-]+-cert-v01@openssh\.com)$/;

/** SHA256 fingerprint in OpenSSH's form: `SHA256:` and base64 without padding. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Reads the length-prefixed strings of an SSH wire blob (RFC 4251 `string`/`mpint`); stops at junk. */
function wireStrings(blob: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (out.length < max && off + 4 <= blob.length) {
    const len = blob.readUInt32BE(off);
    if (off + 4 + len > blob.length) break;
    out.push(blob.subarray(off + 4, off + 4 + len));
    off += 4 + len;
  }
  return out;
}

function mpintBits(n: Buffer | undefined): number | null {
  if (!n || n.length === 0) return null;
  let i = 0;
  while (i < n.length && n[i] === 0) i++;
  if (i === n.length) return 0;
  return (n.length - i - 1) * 8 + (32 - Math.clz32(n[i] ?? 0));
}

/** Key size as ssh-keygen reports it; null when the blob does not say. */
export function keyBits(type: string, blob: Buffer): number | null {
  const f = wireStrings(blob, 4);
  if (f[0]?.toString('latin1') !== type) return null;
  if (type === 'ssh-rsa') return mpintBits(f[2]);
  if (type === 'ssh-dss') return mpintBits(f[1]);
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') return 256;
  if (type === 'ssh-ed448') return 456;
  const curve = /nistp(256|384|521)/.exec(type);
  return curve?.[1] ? Number(curve[1]) : null;
}

/** Splits leading options (`from="a,b",command="x y",no-pty`) off an authorized_keys line. */
function splitOptions(line: string): { options: string[]; rest: string } {
  const options: string[] = [];
  let cur = '';
  let quoted = false;
  let i = 0;
  for (; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '\\' && quoted && i + 1 < line.length) {
      cur += c + (line[i + 1] ?? '');
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (!quoted && c === ',') {
      options.push(cur);
      cur = '';
    } else if (!quoted && (c === ' ' || c === '\t')) {
      break;
    } else cur += c;
  }
  if (cur) options.push(cur);
  return { options, rest: line.slice(i).trim() };
}

/** One public key line, or null if it is not one. */
export function parsePublicKeyLine(raw: string): PublicKey | null {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return null;
  let options: string[] = [];
  let rest = line;
  const first = line.split(/\s+/, 1)[0] ?? '';
  if (!KEY_TYPE.test(first)) {
    const split = splitOptions(line);
    options = split.options;
    rest = split.rest;
  }
  const m = /^(\S+)\s+([A-Za-z0-9+/]+={0,3})(?:\s+(.*))?$/.exec(rest);
  if (!m?.[1] || !m[2] || !KEY_TYPE.test(m[1])) return null;
  const blob = Buffer.from(m[2], 'base64');
  if (blob.length < 8) return null;
  return {
    type: m[1],
    bits: keyBits(m[1], blob),
    fingerprint: sshFingerprint(blob),
    comment: (m[3] ?? '').trim(),
    options,
  };
}

export function parseAuthorizedKeys(content: string | null): PublicKey[] {
  const out: PublicKey[] = [];
  for (const line of splitLines(content)) {
    const k = parsePublicKeyLine(line);
    if (k) out.push(k);
  }
  return out;
}
