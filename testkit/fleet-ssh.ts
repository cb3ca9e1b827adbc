import ssh2 from 'ssh2';
import type { HostKey, TestHost } from '../src/sandbox/hosts/index.js';

/** How a test logs in: a user and either an OpenSSH private key or a password. */
export interface SshLogin {
  readonly username: string;
  readonly privateKey?: string;
  readonly password?: string;
}

export interface SshExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The host key the server presented: base64, as in the second field of `HostKey.publicKey`. */
  readonly hostKey: string;
}

/** A verifier accepting exactly the given keys; the default is the host's current ones. */
export function hostVerifierFor(keys: readonly HostKey[]): (key: Buffer) => boolean {
  const allowed = new Set(keys.map((k) => k.publicKey.split(' ')[1]));
  return (key: Buffer) => allowed.has(key.toString('base64'));
}

/**
 * Runs one command over a real SSH connection (ssh2), always checking the host key. `command` is shell text
 * for the remote login shell, so tests pass constants only.
 */
export function sshExec(
  host: Pick<TestHost, 'address' | 'port' | 'hostKeys'>,
  login: SshLogin,
  command: string,
  opts: { pinned?: readonly HostKey[]; timeoutMs?: number; hostKeyAlgorithms?: string[] } = {},
): Promise<SshExecResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const verify = hostVerifierFor(opts.pinned ?? host.hostKeys);
    let presented = '';
    let settled = false;
    const finish = (err: Error | undefined, value?: SshExecResult): void => {
      if (settled) return;
      settled = true;
      client.end();
      if (err) reject(err);
      else if (value) resolve(value);
    };
    client.on('error', (err) => finish(err));
    client.on('ready', () => {
      client.exec(command, (err, stream) => {
        if (err) return finish(err);
        let stdout = '';
        let stderr = '';
        let code = -1;
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('exit', (c: number | null) => (code = c ?? -1));
        stream.on('close', () => finish(undefined, { code, stdout, stderr, hostKey: presented }));
      });
    });
    client.connect({
      host: host.address,
      port: host.port,
      username: login.username,
      privateKey: login.privateKey,
      password: login.password,
      readyTimeout: opts.timeoutMs ?? 20_000,
      ...(opts.hostKeyAlgorithms
        ? { algorithms: { serverHostKey: opts.hostKeyAlgorithms as ssh2.ServerHostKeyAlgorithm[] } }
        : {}),
      hostVerifier: (key: Buffer) => {
        presented = key.toString('base64');
        return verify(key);
      },
    });
  });
}

/** A fresh ed25519 client key pair in OpenSSH format, made in memory. */
export function newClientKey(comment = 'steward-test-client'): { privateKey: string; publicKey: string } {
  const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
  return { privateKey: pair.private, publicKey: pair.public.trim() };
}
