import { generateKeyPair, randomBytes, type JsonWebKey } from 'node:crypto';
import { promisify } from 'node:util';
import type { HostKeyType } from './types.js';

/**
 * Host keys made in this process and written in OpenSSH's own formats (PROTOCOL.key in OpenSSH's sources),
 * so a host's sshd finds them ready at boot: one `ssh-keygen` process fewer per key per host, and process
 * starts are most of what a host costs here.
 */
export interface OpenSshKeyPair {
  readonly type: HostKeyType;
  /** `-----BEGIN OPENSSH PRIVATE KEY-----` file content, unencrypted. */
  readonly privateKey: string;
  /** One-line `.pub` file content: `<algorithm> <base64> <comment>`. */
  readonly publicKey: string;
}

const generate = promisify(generateKeyPair);

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([u32(bytes.length), bytes]);
}

/** An SSH mpint: big-endian, no leading zeros, one zero byte added when the top bit would read as a sign. */
function mpint(unsigned: Buffer): Buffer {
  let i = 0;
  while (i < unsigned.length && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  const body = trimmed.length > 0 && (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return sshString(body);
}

const b64u = (value: string | undefined): Buffer => Buffer.from(value ?? '', 'base64url');

/** The public blob and the private fields (after the algorithm name) of one key. */
interface KeyParts {
  readonly algorithm: string;
  readonly publicBlob: Buffer;
  readonly privateFields: Buffer;
}

async function makeParts(type: HostKeyType): Promise<KeyParts> {
  if (type === 'ed25519') {
    const { privateKey } = await generate('ed25519');
    const jwk: JsonWebKey = privateKey.export({ format: 'jwk' });
    const pub = b64u(jwk.x);
    // OpenSSH stores the 32-byte seed followed by the public key.
    const fields = Buffer.concat([sshString(pub), sshString(Buffer.concat([b64u(jwk.d), pub]))]);
    return {
      algorithm: 'ssh-ed25519',
      publicBlob: Buffer.concat([sshString('ssh-ed25519'), sshString(pub)]),
      privateFields: fields,
    };
  }
  if (type === 'ecdsa') {
    const { privateKey } = await generate('ec', { namedCurve: 'P-256' });
    const jwk: JsonWebKey = privateKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.from([4]), b64u(jwk.x), b64u(jwk.y)]);
    const algorithm = 'ecdsa-sha2-nistp256';
    const shared = Buffer.concat([sshString('nistp256'), sshString(point)]);
    return {
      algorithm,
      publicBlob: Buffer.concat([sshString(algorithm), shared]),
      privateFields: Buffer.concat([shared, mpint(b64u(jwk.d))]),
    };
  }
  // 3072 bits, as ssh-keygen makes by default; generated on libuv's thread pool, so the event loop runs on.
  const { privateKey } = await generate('rsa', { modulusLength: 3072, publicExponent: 65537 });
  const jwk: JsonWebKey = privateKey.export({ format: 'jwk' });
  const [n, e, d, p, q, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.qi].map(b64u) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  return {
    algorithm: 'ssh-rsa',
    publicBlob: Buffer.concat([sshString('ssh-rsa'), mpint(e), mpint(n)]),
    privateFields: Buffer.concat([mpint(n), mpint(e), mpint(d), mpint(qi), mpint(p), mpint(q)]),
  };
}

function armor(body: Buffer): string {
  const lines = body.toString('base64').match(/.{1,70}/g) ?? [];
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

export async function generateHostKey(type: HostKeyType, comment: string): Promise<OpenSshKeyPair> {
  const parts = await makeParts(type);
  const check = randomBytes(4);
  let section = Buffer.concat([check, check, sshString(parts.algorithm), parts.privateFields, sshString(comment)]);
  // Padded with 1, 2, 3, ... to the cipher block size, 8 for "none".
  const pad = (8 - (section.length % 8)) % 8;
  section = Buffer.concat([section, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    u32(1),
    sshString(parts.publicBlob),
    sshString(section),
  ]);
  return {
    type,
    privateKey: armor(body),
    publicKey: `${parts.algorithm} ${parts.publicBlob.toString('base64')} ${comment}\n`,
  };
}
