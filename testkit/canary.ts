import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';

/** Unique fake secrets and personal data for one test run; any of them found in clear is a leak. */
export interface CanarySet {
  readonly runId: string;
  readonly awsAccessKeyId: string;
  readonly awsSecretAccessKey: string;
  readonly elasticKey: string;
  readonly sshPrivateKey: string;
  readonly dbPassword: string;
  readonly userPassword: string;
  readonly email: string;
  readonly phone: string;
  readonly name: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const pick = (n: number, alphabet = ALNUM) => Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');

export function makeCanaries(): CanarySet {
  const runId = pick(8, 'abcdefghijklmnopqrstuvwxyz0123456789');
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return {
    runId,
    awsAccessKeyId: `AKIA${pick(16)}`,
    awsSecretAccessKey: pick(40, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'),
    elasticKey: `ehkey-${randomUUID()}`,
    sshPrivateKey: pem.replace('-----END PRIVATE KEY-----', `canary-${runId}\n-----END PRIVATE KEY-----`),
    dbPassword: `Cn4ry-${runId}-${pick(12)}`,
    userPassword: `Pw-canary-${runId}-${pick(10)}`,
    email: `canary+${runId}@example.invalid`,
    phone: `+1555${pick(7, '0123456789')}`,
    name: `Canary Person ${runId}`,
  };
}

/** The forms a value may take when it leaks: raw, base64, base64url, hex, URL- and JSON-encoded, lower case. */
export function encodingsOf(value: string): string[] {
  const b = Buffer.from(value, 'utf8');
  const forms = new Set([
    value,
    value.toLowerCase(),
    b.toString('base64'),
    b.toString('base64url'),
    b.toString('hex'),
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
  ]);
  return [...forms].filter((f) => f.length >= 8);
}

/** Windows of `size` characters every 4 (a base64 group) of the value without PEM lines or spaces, where `keep` says. */
function allWindows(value: string, size: number, keep: (start: number) => boolean = () => true): string[] {
  const core = value.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + size <= core.length; i += 4) if (keep(i)) out.push(core.slice(i, i + size));
  return out;
}

/**
 * Windows every PKCS#8 ed25519 key (the canary set's kind) shares, its format header, found as the windows two
 * fresh keys have in common: they say nothing of any one key. OpenSSH keys are read for their secret bytes instead.
 */
const structural = new Map<number, Set<string>>();
function structureOf(size: number): Set<string> {
  let known = structural.get(size);
  if (!known) {
    const pkcs8 = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const other = new Set(allWindows(pkcs8(), size));
    known = new Set(allWindows(pkcs8(), size).filter((w) => other.has(w)));
    structural.set(size, known);
  }
  return known;
}

/**
 * Where the secret bytes of an OpenSSH private key are in its decoded body: for ed25519 the seed, for other
 * kinds the private section's fields. The rest of such a file is format, lengths, the key type and the public key,
 * which a certificate, an authorized_keys line or another key of the kind share in part.
 */
function opensshSecretRange(value: string): [number, number] | null {
  const m = /-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]*?)-----END OPENSSH PRIVATE KEY-----/.exec(value);
  if (!m) return null;
  const b = Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
  let pos = 15; // "openssh-key-v1\0"
  const str = (): [number, number] => {
    const len = b.readUInt32BE(pos);
    const start = pos + 4;
    pos = start + len;
    return [start, pos];
  };
  try {
    const cipher = b.subarray(...str()).toString();
    str(); // kdf name
    str(); // kdf options
    pos += 4; // number of keys
    str(); // public key
    const [sectionStart, sectionEnd] = str();
    if (cipher !== 'none') return [sectionStart, sectionEnd];
    pos = sectionStart + 8; // two check numbers
    const type = b.subarray(...str()).toString();
    if (type !== 'ssh-ed25519') return [pos, sectionEnd]; // other kinds: their fields, public ones included
    str(); // public key
    const [seed] = str(); // the private key field: the 32-byte seed, then the public key again
    return [seed, seed + 32];
  } catch {
    return null;
  }
}

/** Distinctive windows of a secret (12 characters each), so a partial leak is found too. */
export function windowsOf(value: string, size = 12): string[] {
  const secret = opensshSecretRange(value);
  if (secret) {
    // A window at character i covers decoded bytes [3i/4, 3i/4 + 3·size/4): kept when at least 6 of them are secret.
    return allWindows(
      value,
      size,
      (i) => Math.min((i / 4) * 3 + (size / 4) * 3, secret[1]) - Math.max((i / 4) * 3, secret[0]) >= 6,
    );
  }
  const structure = structureOf(size);
  return allWindows(value, size).filter((w) => !structure.has(w));
}

export interface Leak {
  readonly canary: string;
  readonly form: string;
  readonly where: string;
}

/** Every needle of every named value found in `haystack`. */
export function findLeaks(haystack: string, values: Record<string, string>, where: string, withWindows = true): Leak[] {
  const leaks: Leak[] = [];
  for (const [canary, value] of Object.entries(values)) {
    const needles = new Set([...encodingsOf(value), ...(withWindows ? windowsOf(value) : [])]);
    for (const form of needles) if (haystack.includes(form)) leaks.push({ canary, form: form.slice(0, 16), where });
  }
  return leaks;
}
