import type { InstanceHostKey } from './ports.js';

/** What a real console keeps: EC2 returns at most the last 64 KiB of serial output. */
export const CONSOLE_LIMIT = 64 * 1024;

const LABEL: Record<string, string> = {
  'ssh-ed25519': 'ED25519',
  'ssh-rsa': 'RSA',
  'ecdsa-sha2-nistp256': 'ECDSA',
  'ecdsa-sha2-nistp384': 'ECDSA',
  'ecdsa-sha2-nistp521': 'ECDSA',
};

// The key size `ssh-keygen -l` prints: the curve or, for RSA, the modulus length read from the blob.
function bits(key: InstanceHostKey): number {
  if (key.type === 'ssh-ed25519') return 256;
  const curve = /nistp(\d+)$/.exec(key.type);
  if (curve) return Number(curve[1]);
  const blob = Buffer.from(key.publicKey.split(' ')[1] ?? '', 'base64');
  let at = 0;
  const field = (): Buffer => {
    const length = blob.length >= at + 4 ? blob.readUInt32BE(at) : 0;
    const value = blob.subarray(at + 4, at + 4 + length);
    at += 4 + length;
    return value;
  };
  field();
  field();
  const n = field();
  const leading = n[0] === 0 ? n.subarray(1) : n;
  return leading.length * 8;
}

const stamp = (seconds: number): string => `[${seconds.toFixed(6).padStart(12, ' ')}]`;

/**
 * A guest's serial console for one boot, as a cloud-init image leaves it: kernel lines, cloud-init stages, and the
 * host keys it generated, printed between the `-----BEGIN SSH HOST KEY KEYS-----` markers that provisioning tools
 * read to recognise the machine before logging in.
 */
export function bootConsole(input: {
  readonly hostname: string;
  readonly hostKeys: readonly InstanceHostKey[];
  readonly bootedAt: Date;
}): string {
  const at = input.bootedAt.toUTCString();
  const host = input.hostname;
  const ec2 = (line: string): string => `<14>${at.slice(5, 25)} ec2: ${line}`;
  const lines = [
    `${stamp(0)} Linux version 6.1.0-sandbox (sandbox@steward) #1 SMP PREEMPT_DYNAMIC`,
    `${stamp(0)} Command line: BOOT_IMAGE=/vmlinuz root=LABEL=root ro console=ttyS0`,
    `${stamp(0.412803)} Run /sbin/init as init process`,
    `Cloud-init v. 22.4.2 running 'init-local' at ${at}. Up 1.92 seconds.`,
    `Cloud-init v. 22.4.2 running 'init' at ${at}. Up 2.64 seconds.`,
    ...input.hostKeys.flatMap((k) => [
      `Generating public/private ${(LABEL[k.type] ?? k.type).toLowerCase()} key pair.`,
      `The key fingerprint is:`,
      `${k.sha256} root@${host}`,
    ]),
    `Cloud-init v. 22.4.2 running 'modules:config' at ${at}. Up 4.08 seconds.`,
    `Cloud-init v. 22.4.2 running 'modules:final' at ${at}. Up 4.71 seconds.`,
    ec2(''),
    ec2('#############################################################'),
    ec2('-----BEGIN SSH HOST KEY FINGERPRINTS-----'),
    ...input.hostKeys.map((k) => ec2(`${bits(k)} ${k.sha256} root@${host} (${LABEL[k.type] ?? k.type})`)),
    ec2('-----END SSH HOST KEY FINGERPRINTS-----'),
    ec2('#############################################################'),
    '-----BEGIN SSH HOST KEY KEYS-----',
    ...input.hostKeys.map((k) => `${k.publicKey} root@${host}`),
    '-----END SSH HOST KEY KEYS-----',
    `Cloud-init v. 22.4.2 finished at ${at}. Datasource DataSourceEc2Local.  Up 5.02 seconds`,
    '',
    `Debian GNU/Linux 12 ${host} ttyS0`,
    '',
    `${host} login: `,
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** Appends a boot to a console, keeping only the newest `CONSOLE_LIMIT` bytes as the provider does. */
export function appendConsole(previous: string, boot: string): string {
  const all = Buffer.from(previous + boot, 'utf8');
  return all.length <= CONSOLE_LIMIT ? previous + boot : all.subarray(all.length - CONSOLE_LIMIT).toString('utf8');
}
