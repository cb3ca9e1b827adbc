import type { RemoteSession, Step } from '../../remote/index.js';

/**
 * Steps that put Steward's public key into, or take it out of, the login user's authorized_keys. The key line
 * travels as an argument ($1) to fixed script text, never spliced into it.
 */

const HAS_KEY = 'f="$HOME/.ssh/authorized_keys"; [ -f "$f" ] && grep -qxF -- "$1" "$f"';
const ADD_KEY =
  'umask 077; d="$HOME/.ssh"; f="$d/authorized_keys"; mkdir -p "$d" && chmod 700 "$d" && ' +
  'if [ -s "$f" ] && [ -n "$(tail -c 1 "$f")" ]; then echo >> "$f"; fi && printf "%s\\n" "$1" >> "$f" && chmod 600 "$f"';
const REMOVE_KEY =
  'f="$HOME/.ssh/authorized_keys"; [ -f "$f" ] || exit 0; t="$f.steward-tmp"; ' +
  '{ grep -vxF -- "$1" "$f" || true; } > "$t" && chmod 600 "$t" && mv -f "$t" "$f"';

/** `sh -c SCRIPT steward KEY`: the script and the key are each one quoted argument. */
const sh = (script: string, key: string) => ['sh', '-c', script, 'steward', key];

async function hasKey(session: RemoteSession, key: string): Promise<boolean> {
  const res = await session.exec(sh(HAS_KEY, key), { acceptExitCodes: [0, 1] });
  return res.exitCode === 0;
}

export function installKeySteps(publicKey: string): Step<RemoteSession>[] {
  return [
    {
      id: 'authorized-key',
      description: 'Steward’s key is in the login user’s authorized_keys',
      check: (session) => hasKey(session, publicKey),
      apply: async (session) => void (await session.exec(sh(ADD_KEY, publicKey))),
    },
  ];
}

export function removeKeySteps(publicKey: string): Step<RemoteSession>[] {
  return [
    {
      id: 'authorized-key-removed',
      description: 'Steward’s key is no longer in the login user’s authorized_keys',
      check: async (session) => !(await hasKey(session, publicKey)),
      apply: async (session) => void (await session.exec(sh(REMOVE_KEY, publicKey))),
    },
  ];
}
