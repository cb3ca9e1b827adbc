/**
 * One real OpenSSH `sshd` on 127.0.0.1 for integration tests: random port, its own temp config, freshly
 * generated host keys, and a throwaway client key authorised for root. The client's private key is made in
 * memory and never written to disk. The log (`-e`, LogLevel DEBUG1) is kept so tests can check what the
 * server saw, e.g. that no authentication was attempted.
 *
 * A missing sshd is a test failure with an install hint, never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';

const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const INSTALL_HINT =
  'Install OpenSSH: apt-get install -y openssh-server (tests need /usr/sbin/sshd and ssh-keygen, and run as root).';

export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

export interface TestHostKey {
  readonly type: string;
  /** `<type> <base64>` as in the .pub file, without comment. */
  readonly publicKey: string;
  /** As printed by `ssh-keygen -lf`. */
  readonly fingerprint: string;
}

export interface TestSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly username: 'root';
  readonly dir: string;
  /** OpenSSH-format private key, in memory only. */
  readonly clientPrivateKey: string;
  readonly hostKeys: readonly TestHostKey[];
  /** Everything sshd logged since start (all restarts included). */
  log(): string;
  /** A position in the log, for `logSince`. */
  logMark(): number;
  logSince(mark: number): string;
  /** Stops sshd and every session it forked (like a reboot), then starts it again on the same port. */
  restart(options?: { newHostKeys?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface StartSshdOptions {
  readonly hostKeyTypes?: readonly HostKeyType[];
  readonly extraConfig?: readonly string[];
}

function requireTools(): void {
  if (!existsSync(SSHD) || !existsSync(SSH_KEYGEN)) throw new Error(`OpenSSH server not found. ${INSTALL_HINT}`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    throw new Error(`sshd tests must run as root. ${INSTALL_HINT}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function makeHostKeys(dir: string, types: readonly HostKeyType[]): TestHostKey[] {
  return types.map((type) => {
    const file = join(dir, `ssh_host_${type}_key`);
    rmSync(file, { force: true });
    rmSync(`${file}.pub`, { force: true });
    const made = spawnSync(SSH_KEYGEN, ['-q', '-t', type, '-N', '', '-C', 'steward-test-host', '-f', file], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr}`);
    const [keyType = '', data = ''] = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/);
    const listed = spawnSync(SSH_KEYGEN, ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' });
    const fingerprint = /SHA256:[A-Za-z0-9+/]+/.exec(listed.stdout)?.[0];
    if (!fingerprint) throw new Error(`ssh-keygen -l failed: ${listed.stderr}`);
    return { type: keyType, publicKey: `${keyType} ${data}`, fingerprint };
  });
}

function writeConfig(dir: string, port: number, types: readonly HostKeyType[], extra: readonly string[]): string {
  const file = join(dir, 'sshd_config');
  writeFileSync(
    file,
    [
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      ...types.map((t) => `HostKey ${join(dir, `ssh_host_${t}_key`)}`),
      'PidFile none',
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
      'MaxStartups 200:30:400',
      'MaxSessions 10',
      // Debian's bash reads ~/.bashrc for commands run by sshd unless it is nested; root's .bashrc on
      // developer machines can take seconds (pyenv init), which would swamp every timing in the tests.
      'SetEnv SHLVL=1',
      ...extra,
      '',
    ].join('\n'),
  );
  return file;
}

/** Direct and indirect children of `pid`, found through /proc (we end processes by id, never by name). */
function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, ppid] of parents) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * An ed25519 key pair made in memory. ssh2 1.17's generator drops leading zero bytes of the public key
 * about once in 256 keys, producing a key its own parser rejects (mscdex/ssh2#1390), so such keys are
 * thrown away and made again.
 */
export function newClientKeyPair(comment = 'steward-test-client'): { private: string; public: string } {
  for (;;) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519', { comment });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error))
      return pair;
  }
}

export async function startSshd(options: StartSshdOptions = {}): Promise<TestSshd> {
  requireTools();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const types = options.hostKeyTypes ?? ['ed25519'];
  const dir = mkdtempSync(join(tmpdir(), 'steward-sshd-'));
  const client = newClientKeyPair();
  writeFileSync(join(dir, 'authorized_keys'), `${client.public}\n`, { mode: 0o600 });
  let hostKeys = makeHostKeys(dir, types);
  let logText = '';
  let child: ChildProcess | undefined;
  let port = 0;

  // A test run that ends without stop() must not leave sshd or its key files behind.
  const exitGuard = (): void => {
    if (child?.pid) for (const pid of [child.pid, ...descendants(child.pid)]) killQuietly(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', exitGuard);

  const launch = async (wantedPort: number | undefined): Promise<void> => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      port = wantedPort ?? (await freePort());
      const config = writeConfig(dir, port, types, options.extraConfig ?? []);
      const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      const started = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 10_000);
        proc.stderr?.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          logText += chunk.toString('utf8');
          if (text.includes(`Server listening on 127.0.0.1 port ${port}`)) {
            clearTimeout(timer);
            resolve(true);
          }
        });
        proc.once('exit', () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
      if (started) {
        child = proc;
        return;
      }
      killQuietly(proc.pid ?? -1, 'SIGKILL');
      if (!/Address already in use/.test(text)) throw new Error(`sshd did not start:\n${text}`);
      // A fresh port is picked next time; a restart on its old port waits for the old listener to let go.
      if (wantedPort !== undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`sshd could not bind a port on 127.0.0.1:\n${logText.slice(-2000)}`);
  };

  const halt = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc?.pid || proc.exitCode !== null) return;
    // Sessions are children of the listener; collect them first, as they outlive it otherwise.
    const sessions = descendants(proc.pid);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    killQuietly(proc.pid, 'SIGTERM');
    for (const pid of sessions) killQuietly(pid, 'SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3_000))]);
    killQuietly(proc.pid, 'SIGKILL');
  };

  try {
    await launch(undefined);
  } catch (err) {
    exitGuard();
    process.removeListener('exit', exitGuard);
    throw err;
  }

  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    username: 'root',
    dir,
    clientPrivateKey: client.private,
    get hostKeys() {
      return hostKeys;
    },
    log: () => logText,
    logMark: () => logText.length,
    logSince: (mark) => logText.slice(mark),
    async restart(restartOptions = {}) {
      await halt();
      if (restartOptions.newHostKeys) hostKeys = makeHostKeys(dir, types);
      await launch(port);
    },
    async stop() {
      await halt();
      process.removeListener('exit', exitGuard);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
