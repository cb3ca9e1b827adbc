/**
 * OpenSSH user certificates, built and signed here (node:crypto, Ed25519) so the CA's private key never
 * touches a disk. The layout is OpenSSH's PROTOCOL.certkeys: the certified key's own fields, then serial, type,
 * key id, principals, validity, critical options, extensions, the CA's public key and its signature over all
 * of it.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { invalidInput } from '../../../kernel/errors.js';

const CERTIFIABLE = new Set([
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'ssh-rsa',
]);
const USER_CERT = 1;

function sshString(value: Buffer | string): Buffer {
  const buf = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(buf.length);
  return Buffer.concat([len, buf]);
}
const uint32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const uint64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

function readString(buf: Buffer, offset: number): { value: Buffer; next: number } {
  if (offset + 4 > buf.length) throw invalidInput('The public key is truncated.', { field: 'publicKey' });
  const len = buf.readUInt32BE(offset);
  if (offset + 4 + len > buf.length) throw invalidInput('The public key is truncated.', { field: 'publicKey' });
  return { value: buf.subarray(offset + 4, offset + 4 + len), next: offset + 4 + len };
}

export interface ParsedPublicKey {
  readonly type: string;
  /** The key's wire blob (type string included). */
  readonly blob: Buffer;
  /** `SHA256:…` as ssh-keygen -lf prints it. */
  readonly fingerprint: string;
}

export const fingerprintOf = (blob: Buffer): string =>
  `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;

/** Parses one OpenSSH public key line (`type base64 [comment]`) of a type OpenSSH certifies. */
export function parsePublicKeyLine(line: string): ParsedPublicKey {
  const parts = line.trim().split(/\s+/);
  if (parts.length < 2 || !/^[A-Za-z0-9+/]+={0,2}$/.test(parts[1]!))
    throw invalidInput('publicKey must be an OpenSSH public key line, e.g. the contents of ~/.ssh/id_ed25519.pub.', {
      field: 'publicKey',
    });
  const type = parts[0]!;
  if (!CERTIFIABLE.has(type))
    throw invalidInput(
      `Keys of type ${type.slice(0, 40)} cannot be certified; use ssh-ed25519, ecdsa-sha2-nistp* or ssh-rsa.`,
      { field: 'publicKey' },
    );
  const blob = Buffer.from(parts[1]!, 'base64');
  const inner = readString(blob, 0);
  if (inner.value.toString('utf8') !== type)
    throw invalidInput('The public key’s type does not match its data.', { field: 'publicKey' });
  return { type, blob, fingerprint: fingerprintOf(blob) };
}

/** The wire blob of an Ed25519 public key. */
export function ed25519Blob(publicKey: KeyObject): Buffer {
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  return Buffer.concat([sshString('ssh-ed25519'), sshString(raw)]);
}

/** A new CA key: the private half as PKCS#8 PEM (to be sealed), the public half as an OpenSSH line. */
export function generateCaKey(comment: string): { privatePem: string; publicLine: string; fingerprint: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const blob = ed25519Blob(publicKey);
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicLine: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
    fingerprint: fingerprintOf(blob),
  };
}

export interface UserCertificateSpec {
  readonly publicKey: ParsedPublicKey;
  readonly serial: bigint;
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly validAfter: Date;
  readonly validBefore: Date;
  /** e.g. `{ 'source-address': '203.0.113.7/32' }`; unknown critical options make sshd refuse the certificate. */
  readonly criticalOptions?: Readonly<Record<string, string>>;
  /** Permissions granted (flags). Anything absent (agent, port or X11 forwarding, user rc) is forbidden. */
  readonly extensions: readonly string[];
}

const seconds = (d: Date): bigint => BigInt(Math.floor(d.getTime() / 1000));

/** Name-sorted options; each value is itself an SSH string inside the data string (flags have empty data). */
function packOptions(entries: readonly (readonly [string, string | null])[]): Buffer {
  const sorted = [...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Buffer.concat(
    sorted.map(([name, value]) =>
      Buffer.concat([sshString(name), sshString(value === null ? Buffer.alloc(0) : sshString(value))]),
    ),
  );
}

/** Builds and signs a user certificate with the CA's Ed25519 key; returns the OpenSSH one-line form. */
export function signUserCertificate(spec: UserCertificateSpec, ca: { privateKey: KeyObject }, comment: string): string {
  const caBlob = ed25519Blob(createPublicKey(ca.privateKey));
  const keyFields = spec.publicKey.blob.subarray(readString(spec.publicKey.blob, 0).next);
  const certType = `${spec.publicKey.type}-cert-v01@openssh.com`;
  const body = Buffer.concat([
    sshString(certType),
    sshString(randomBytes(32)),
    keyFields,
    uint64(spec.serial),
    uint32(USER_CERT),
    sshString(spec.keyId),
    sshString(Buffer.concat(spec.principals.map((p) => sshString(p)))),
    uint64(seconds(spec.validAfter)),
    uint64(seconds(spec.validBefore)),
    sshString(packOptions(Object.entries(spec.criticalOptions ?? {}))),
    sshString(packOptions(spec.extensions.map((e) => [e, null] as const))),
    sshString(Buffer.alloc(0)),
    sshString(caBlob),
  ]);
  const signature = Buffer.concat([sshString('ssh-ed25519'), sshString(sign(null, body, ca.privateKey))]);
  return `${certType} ${Buffer.concat([body, sshString(signature)]).toString('base64')} ${comment}`;
}
