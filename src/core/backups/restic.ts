/**
 * Runs restic on the Steward host. The repository password reaches restic through a named pipe
 * (`RESTIC_PASSWORD_FILE=<private folder>/password`, a FIFO made for that one run in a 0700 folder): it is never
 * in an argument, in the environment or in a file on disk (a FIFO holds nothing once read), so neither
 * /proc/<pid>/cmdline nor /proc/<pid>/environ shows it. Node's own child pipes are sockets, which restic cannot
 * open as a file, hence the FIFO. An SFTP target's key is served by an in-process agent
 * (remote/key-agent.ts) and its host key is pinned in a per-run known_hosts file; an S3 secret key travels in
 * restic's environment, which only its own user and root can read.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { AppError, type ErrorCode } from '../../kernel/errors.js';
import type { Secret } from '../../kernel/secret.js';
import { startKeyAgent, type KeyAgent } from '../../remote/index.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const STDERR_KEPT = 16 * 1024;
const STDOUT_KEPT = 32 * 1024 * 1024;

/** Where a repository is and how to reach it, already opened from the vault. */
export interface ResticTarget {
  /** `RESTIC_REPOSITORY`: a folder, `sftp:user@host:/path` or `s3:http(s)://endpoint/bucket/prefix`. */
  readonly repository: string;
  /** Extra environment (S3 keys). */
  readonly env?: Readonly<Record<string, string>>;
  /** `-o` options (s3.region, s3.bucket-lookup). */
  readonly options?: readonly string[];
  readonly sftp?: {
    readonly host: string;
    readonly port: number;
    readonly user: string;
    /** OpenSSH public key lines the host must present. */
    readonly hostKeys: readonly string[];
    readonly privateKey: Secret<string>;
  };
}

export interface ResticRunOptions {
  /** Bytes for restic's stdin (`backup --stdin`); ended by the caller. */
  readonly stdin?: 'pipe';
  /** Where stdout goes (a dump being restored); otherwise it is collected. */
  readonly stdoutSink?: Writable;
  /** Called with each JSON line restic prints (`--json` progress). */
  readonly onJson?: (message: Record<string, unknown>) => void;
  readonly signal?: AbortSignal;
}

export interface ResticResult {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running restic: its stdin (when asked for) and how it ended. */
export interface ResticProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly done: Promise<ResticResult>;
  kill(): void;
}

export interface Restic {
  start(
    target: ResticTarget,
    password: Secret<string>,
    args: readonly string[],
    opts?: ResticRunOptions,
  ): Promise<ResticProcess>;
  /** Runs to the end; a non-zero exit becomes the AppError its output explains. */
  run(
    target: ResticTarget,
    password: Secret<string>,
    args: readonly string[],
    opts?: ResticRunOptions,
  ): Promise<ResticResult>;
}

/** What an S3 endpoint answers when the access key is unknown, its secret wrong, or the key not allowed in. */
export const S3_REFUSED =
  /InvalidAccessKeyId|SignatureDoesNotMatch|Access Key Id you provided does not exist|request signature we calculated does not match|Access Denied|AccessDenied|InvalidToken/i;

/** Turns what restic printed into a stable error code and a message that says what to fix. */
export function explainFailure(result: ResticResult, what: string): AppError {
  const text = result.stderr.trim();
  const last = text.split('\n').slice(-4).join(' ').slice(0, 600);
  const has = (re: RegExp) => re.test(text);
  let code: ErrorCode = 'STEWARD_BACKUP_FAILED';
  let message = `${what} failed: ${last || `restic exited with ${result.code ?? result.signal}`}`;
  if (has(/no space left on device|quota exceeded|QuotaExceeded|EntityTooLarge|insufficient storage/i)) {
    code = 'STEWARD_BACKUP_TARGET_FULL';
    message = `${what} failed: the backup target has no space left. Free space there (or prune old restore points), then run it again. restic said: ${last}`;
  } else if (has(/Write: sftp: "Failure" \(SSH_FX_FAILURE\)/)) {
    // SFTP has no "disk full" status: OpenSSH's server answers a write on a full disk with a bare FAILURE.
    code = 'STEWARD_BACKUP_TARGET_FULL';
    message = `${what} failed: the SFTP host refused to store data (OpenSSH answers this way when its disk is full). Check free space on the backup host, then run it again. restic said: ${last}`;
  } else if (has(S3_REFUSED)) {
    code = 'STEWARD_BACKUP_TARGET_UNREACHABLE';
    message = `${what} failed: the S3 bucket refused Steward's access key. Check the access key id and secret (and that the key may read and write the bucket), then verify the target again. restic said: ${last}`;
  } else if (
    has(
      /connection refused|no route to host|i\/o timeout|dial tcp|network is unreachable|ssh command exited|subprocess ssh|Host key verification failed|Permission denied \(publickey|connection reset|InvalidAccessKeyId|SignatureDoesNotMatch|Access Denied|NoSuchBucket|unable to open repository|server unexpectedly closed/i,
    )
  ) {
    code = 'STEWARD_BACKUP_TARGET_UNREACHABLE';
    message = `${what} failed: the backup target could not be reached or refused Steward's credentials. restic said: ${last}`;
  } else if (has(/repository is already locked/i)) {
    code = 'STEWARD_BACKUP_REPOSITORY_BUSY';
    message = `${what} failed: another restic holds the repository's lock (one run outside Steward, say). Let it finish; if none runs any more, \`restic unlock\` clears the lock it left. restic said: ${last}`;
  } else if (has(/wrong password or no key found/i)) {
    message = `${what} failed: the repository does not open with this organisation's password (was it made by another tool?).`;
  }
  return new AppError(code, message, { exitCode: result.code, signal: result.signal });
}

export function createRestic(deps: { bin: string; cacheDir: string; workDir: string }): Restic {
  mkdirSync(deps.cacheDir, { recursive: true, mode: 0o700 });
  mkdirSync(deps.workDir, { recursive: true, mode: 0o700 });

  /** The per-run pieces an SFTP target needs (known_hosts, agent); removed when restic ends. */
  async function sftpPieces(target: ResticTarget): Promise<{ args: string[]; cleanup: () => Promise<void> }> {
    const s = target.sftp;
    if (!s) return { args: [], cleanup: async () => undefined };
    const dir = mkdtempSync(join(deps.workDir, 'sftp-'));
    let agent: KeyAgent | undefined;
    try {
      const hostPart = s.port === 22 ? s.host : `[${s.host}]:${s.port}`;
      const knownHosts = join(dir, 'known_hosts');
      writeFileSync(knownHosts, s.hostKeys.map((k) => `${hostPart} ${k}\n`).join(''), { mode: 0o600 });
      agent = await startKeyAgent(s.privateKey, dir);
      const ssh = [
        'ssh',
        '-F',
        '/dev/null',
        '-p',
        String(s.port),
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=yes',
        '-o',
        `UserKnownHostsFile=${knownHosts}`,
        '-o',
        'GlobalKnownHostsFile=/dev/null',
        '-o',
        `IdentityAgent=${agent.socketPath}`,
        '-o',
        'PasswordAuthentication=no',
        '-o',
        'ConnectTimeout=15',
        '-o',
        'ServerAliveInterval=15',
        '-o',
        'ServerAliveCountMax=3',
        '-l',
        s.user,
        s.host,
        '-s',
        'sftp',
      ];
      const held = agent;
      return {
        args: ['-o', `sftp.command=${ssh.join(' ')}`],
        cleanup: async () => {
          await held.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (err) {
      await agent?.close();
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async function start(
    target: ResticTarget,
    password: Secret<string>,
    args: readonly string[],
    opts: ResticRunOptions = {},
  ): Promise<ResticProcess> {
    const sftp = await sftpPieces(target);
    const argv = [
      '--cache-dir',
      deps.cacheDir,
      ...sftp.args,
      ...(target.options ?? []).flatMap((o) => ['-o', o]),
      ...args,
    ];
    const pwDir = mkdtempSync(join(deps.workDir, 'pw-'));
    const fifo = join(pwDir, 'password');
    const made = spawnSync('mkfifo', ['-m', '600', fifo]);
    if (made.status !== 0) {
      rmSync(pwDir, { recursive: true, force: true });
      await sftp.cleanup();
      throw new AppError('STEWARD_INTERNAL', 'Steward could not make the pipe that hands restic its password.');
    }
    let child: ChildProcess;
    try {
      child = spawn(deps.bin, argv, {
        stdio: [opts.stdin === 'pipe' ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: {
          PATH,
          HOME: deps.workDir,
          TMPDIR: deps.workDir,
          RESTIC_REPOSITORY: target.repository,
          RESTIC_PASSWORD_FILE: fifo,
          ...target.env,
        },
        signal: opts.signal,
      });
    } catch (err) {
      rmSync(pwDir, { recursive: true, force: true });
      await sftp.cleanup();
      throw err;
    }
    // Blocks (in the thread pool) until restic opens the pipe; unblocked below if restic ends without reading.
    void (async () => {
      const fh = await open(fifo, 'w');
      try {
        await fh.writeFile(`${password.reveal()}\n`);
      } finally {
        await fh.close();
      }
    })().catch(() => undefined);
    const releasePipe = () => {
      try {
        closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      } catch {
        // already gone
      }
      rmSync(pwDir, { recursive: true, force: true });
    };
    child.stdin?.on('error', () => undefined);

    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    const stdoutParts: Buffer[] = [];
    let stdoutSize = 0;
    let pending = '';
    if (opts.stdoutSink) {
      child.stdout!.pipe(opts.stdoutSink, { end: false });
    } else {
      child.stdout!.on('data', (chunk: Buffer) => {
        if (opts.onJson) {
          pending += chunk.toString('utf8');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl).trim();
            pending = pending.slice(nl + 1);
            if (line.startsWith('{')) {
              try {
                opts.onJson(JSON.parse(line) as Record<string, unknown>);
              } catch {
                // a partial or non-JSON line: restic's own text, ignored
              }
            }
          }
          return;
        }
        if (stdoutSize < STDOUT_KEPT) {
          stdoutParts.push(chunk);
          stdoutSize += chunk.length;
        }
      });
    }
    const done = new Promise<ResticResult>((resolve, reject) => {
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT')
          reject(
            new AppError(
              'STEWARD_BACKUP_TOOL_MISSING',
              `restic was not found (${deps.bin}). Install it on the Steward host: apt-get install restic.`,
            ),
          );
        else if (err.name === 'AbortError') reject(opts.signal?.reason ?? err);
        else reject(err);
      });
      child.once('close', (code, signal) => {
        if (opts.onJson && pending.trim().startsWith('{')) {
          try {
            opts.onJson(JSON.parse(pending.trim()) as Record<string, unknown>);
          } catch {
            // ignored as above
          }
        }
        resolve({ code, signal, stdout: Buffer.concat(stdoutParts).toString('utf8'), stderr });
      });
    }).finally(async () => {
      releasePipe();
      await sftp.cleanup();
    });
    done.catch(() => undefined);
    return {
      stdin: child.stdin,
      stdout: child.stdout!,
      done,
      kill: () => void child.kill('SIGKILL'),
    };
  }

  return {
    start,
    async run(target, password, args, opts = {}) {
      const proc = await start(target, password, args, opts);
      const result = await proc.done;
      if (result.code !== 0) throw explainFailure(result, `restic ${args[0] ?? ''}`.trim());
      return result;
    },
  };
}
