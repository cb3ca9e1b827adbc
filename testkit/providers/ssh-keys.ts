import { createHash, generateKeyPairSync } from 'node:crypto';

function sshString(data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

function mpint(data: Buffer): Buffer {
  // A leading 0x80 bit would read as negative, so such numbers get a zero byte in front.
  return sshString((data[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), data]) : data);
}

export interface TestKey {
  /** The authorized_keys line. */
  readonly publicKey: string;
  readonly sha256: string;
}

function finish(type: string, blob: Buffer, comment: string): TestKey {
  return {
    publicKey: `${type} ${blob.toString('base64')} ${comment}`,
    sha256: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

/** A fresh Ed25519 public key in OpenSSH form (the private half is thrown away). */
export function ed25519PublicKey(comment = 'test@steward'): TestKey {
  const { publicKey } = generateKeyPairSync('ed25519');
  const x = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
  return finish('ssh-ed25519', Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(x)]), comment);
}

/** A fresh RSA public key in OpenSSH form. */
export function rsaPublicKey(comment = 'test@steward'): TestKey {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' });
  const e = Buffer.from(jwk.e ?? '', 'base64url');
  const n = Buffer.from(jwk.n ?? '', 'base64url');
  return finish('ssh-rsa', Buffer.concat([sshString(Buffer.from('ssh-rsa')), mpint(e), mpint(n)]), comment);
}
