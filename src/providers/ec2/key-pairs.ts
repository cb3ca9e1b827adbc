import { DescribeKeyPairsCommand, ImportKeyPairCommand } from '@aws-sdk/client-ec2';
import { createHash, createPublicKey } from 'node:crypto';
import { ProviderError, RequestRejectedError } from '../errors.js';
import { parsePublicKey, type PublicKey } from '../ssh-key.js';
import type { CallOptions, KeyPair } from '../types.js';
import type { Ec2Transport } from './client.js';
import { keyPairFromEc2 } from './mapper.js';

/**
 * The fingerprint EC2 reports for an imported key: MD5 of the DER public key for RSA, base64 SHA-256 of the
 * key blob for Ed25519. Lets us tell whether an existing key pair holds the same key.
 */
export function ec2ImportedFingerprint(key: PublicKey): string | undefined {
  const blob = Buffer.from(key.base64, 'base64');
  if (key.type === 'ssh-ed25519') return createHash('sha256').update(blob).digest('base64');
  if (key.type !== 'ssh-rsa') return undefined;
  const fields: Buffer[] = [];
  for (let at = 0; at < blob.length;) {
    const len = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  const [, e, n] = fields;
  if (e === undefined || n === undefined) return undefined;
  const strip = (b: Buffer): string => b.subarray(b.findIndex((x) => x !== 0)).toString('base64url');
  const der = createPublicKey({ key: { kty: 'RSA', n: strip(n), e: strip(e) }, format: 'jwk' }).export({
    type: 'spki',
    format: 'der',
  });
  return createHash('md5').update(der).digest('hex').match(/../g)?.join(':');
}

/** The key pair name the driver uses when the caller did not import one: stable per key. */
export function derivedKeyPairName(key: PublicKey): string {
  return `steward-${createHash('sha256').update(Buffer.from(key.base64, 'base64')).digest('hex').slice(0, 20)}`;
}

/**
 * Imports `publicKey` as `name`; if the name is taken by the same key the existing pair is returned, by a
 * different key the call is rejected (silently using someone else's key would break logins).
 */
export async function importKeyPair(
  transport: Ec2Transport,
  name: string,
  publicKey: string,
  opts?: CallOptions,
): Promise<KeyPair> {
  const key = parsePublicKey(publicKey, 'ec2');
  if (key.type !== 'ssh-rsa' && key.type !== 'ssh-ed25519') {
    throw new RequestRejectedError(`EC2 imports only ssh-rsa and ssh-ed25519 keys, not ${key.type}.`, {
      provider: 'ec2',
      operation: 'ImportKeyPair',
    });
  }
  try {
    const material = new TextEncoder().encode(`${key.line} ${key.comment}`.trim());
    const out = await transport.ec2('ImportKeyPair', opts, (c, o) =>
      c.send(new ImportKeyPairCommand({ KeyName: name, PublicKeyMaterial: material }), o),
    );
    return keyPairFromEc2(out);
  } catch (err) {
    if (!(err instanceof ProviderError) || err.providerCode !== 'InvalidKeyPair.Duplicate') throw err;
  }
  const out = await transport.ec2('DescribeKeyPairs', opts, (c, o) =>
    c.send(new DescribeKeyPairsCommand({ KeyNames: [name] }), o),
  );
  const existing = out.KeyPairs?.[0];
  const expected = ec2ImportedFingerprint(key);
  if (existing === undefined || (expected !== undefined && existing.KeyFingerprint?.trim() !== expected)) {
    throw new RequestRejectedError(`A key pair named "${name}" already exists in this region with a different key.`, {
      provider: 'ec2',
      operation: 'ImportKeyPair',
      providerCode: 'InvalidKeyPair.Duplicate',
    });
  }
  return keyPairFromEc2(existing);
}
