import { describeHostKey, parseOpenSshPublicKey, type PresentedHostKey } from '../../remote/index.js';

const BEGIN = '-----BEGIN SSH HOST KEY KEYS-----';
const END = '-----END SSH HOST KEY KEYS-----';
const KEY = /((?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[A-Za-z0-9@.-]+)\s+([A-Za-z0-9+/]{20,}={0,3})/;

/** The key type Steward pins when a machine has several: the one OpenSSH and ssh2 both prefer. */
const PREFERENCE = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'];

/**
 * The host keys cloud-init printed in its last complete `-----BEGIN SSH HOST KEY KEYS-----` block (a reboot prints
 * them again; the newest boot counts). Lines may carry a syslog prefix and a comment; lines that are not a valid
 * OpenSSH public key are ignored, so console noise cannot inject one.
 */
export function hostKeysFromConsole(consoleText: string | undefined): PresentedHostKey[] {
  if (consoleText === undefined) return [];
  const lines = consoleText.split(/\r?\n/);
  const end = lines.findLastIndex((l) => l.includes(END));
  if (end === -1) return [];
  const begin = lines.slice(0, end).findLastIndex((l) => l.includes(BEGIN));
  if (begin === -1) return [];
  const keys: PresentedHostKey[] = [];
  for (const line of lines.slice(begin + 1, end)) {
    const match = KEY.exec(line);
    if (!match) continue;
    try {
      const { blob } = parseOpenSshPublicKey(`${match[1]} ${match[2]}`);
      keys.push(describeHostKey(blob));
    } catch {
      // not a key: console noise
    }
  }
  return keys;
}

/** The one key to pin: the preferred type present (the connection then asks the server for exactly that type). */
export function preferredHostKey(keys: readonly PresentedHostKey[]): PresentedHostKey | undefined {
  const rank = (k: PresentedHostKey): number => {
    const i = PREFERENCE.indexOf(k.type);
    return i === -1 ? PREFERENCE.length : i;
  };
  return [...keys].sort((a, b) => rank(a) - rank(b))[0];
}
