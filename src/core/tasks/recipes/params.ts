/**
 * Parameter schemas shared by recipes. Every value that reaches a server is checked here before a task is
 * created, and again by quoting when it is sent; these checks stop values that are wrong for the program that
 * receives them (an option-like name, a line break in a config file).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** A portable Unix login name; `root` is refused where a recipe creates an account of its own. */
export const unixUser = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_-]{0,31}$/,
    'must be a Unix user name: a lowercase letter or _, then up to 31 of a-z, 0-9, _ and -',
  )
  .refine((name) => name !== 'root', 'must not be root');

const KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;

/** The key type written inside the base64 blob (a length-prefixed string), which must match the line's. */
function blobType(base64: string): string | undefined {
  const blob = Buffer.from(base64, 'base64');
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  return length > 0 && length <= 64 && blob.length >= 4 + length
    ? blob.subarray(4, 4 + length).toString('latin1')
    : undefined;
}

/**
 * One OpenSSH public key line, "type base64 [comment]", with no options in front (`command=`, `from=`…): the
 * key is authorised as it is, and a line break cannot smuggle in a second one.
 */
export const publicKeyLine = z
  .string()
  .max(16_384)
  .transform((line) => line.trim())
  .refine(
    (line) => /^[a-z0-9@.-]+ [A-Za-z0-9+/]+={0,2}( [\x20-\x7e]{0,200})?$/.test(line),
    'must be one OpenSSH public key line: "ssh-ed25519 AAAA… comment"',
  )
  .refine((line) => {
    const [type, data] = line.split(' ');
    return (KEY_TYPES as readonly string[]).includes(type ?? '') && blobType(data ?? '') === type;
  }, 'must be a supported key type whose data matches it (ssh-ed25519, ssh-rsa, ecdsa-sha2-*, sk-*)');

/** "SHA256:…" as `ssh-keygen -lf` prints it, for log lines. */
export function keyFingerprint(line: string): string {
  const data = line.split(' ')[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(data, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** A MariaDB/MySQL database or user name; strict enough to need no quoting anywhere it goes. */
export const sqlName = z
  .string()
  .regex(/^[a-z_][a-z0-9_]{0,31}$/, 'must be a lowercase letter or _, then up to 31 of a-z, 0-9 and _');

/** A service as systemd, OpenRC or /etc/init.d name it; no slash, no leading dash. */
export const serviceName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/,
    'must be a service name: a letter or digit, then letters, digits, _ . @ and -',
  );

/** For recipes that take no parameters; anything sent is refused rather than ignored. */
export const noParams = z.object({}).strict();
export type NoParams = z.infer<typeof noParams>;
