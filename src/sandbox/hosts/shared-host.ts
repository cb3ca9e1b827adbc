import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import { pidFileOf, wrongState, type HostContext } from './context.js';
import { exec, HOST_ENV } from './exec.js';
import { hostKeyFile, readHostKeys } from './host-keys.js';
import { checkArgv, DEFAULT_RUN_TIMEOUT_MS } from './inside.js';
import { generateHostKey } from './openssh-keys.js';
import { isAlive, processRef, signalIfAlive } from './proc.js';
import { waitForSsh } from './readiness.js';
import { Serial } from './serial.js';
import { renderSshdConfig } from './sshd-config.js';
import { writeState, type HostState } from './state.js';
import { endProcessesSync, teardownSync } from './teardown.js';
import type { HostKey, RunOptions, RunResult, TestHost } from './types.js';

const SSHD = '/usr/sbin/sshd';

function unsupported(what: string): AppError {
  return new AppError(
    'STEWARD_TESTHOSTS_UNSUPPORTED',
    `${what} needs an isolated test host; shared hosts are sshd processes on this machine.`,
  );
}

/** A plain sshd on a loopback address of this machine: cheap, for benchmarks, with no disk or users of its own. */
export class SharedHost implements TestHost {
  readonly mode = 'shared' as const;
  #hostKeys: readonly HostKey[] = [];
  readonly #ctx: HostContext;
  readonly #state: HostState;
  readonly #overrides: Readonly<Record<string, string>>;
  readonly #serial = new Serial();
  #destroyed = false;

  constructor(ctx: HostContext, state: HostState, overrides: Readonly<Record<string, string>>) {
    this.#ctx = ctx;
    this.#state = state;
    this.#overrides = overrides;
  }

  get hostKeys(): readonly HostKey[] {
    return this.#hostKeys;
  }
  get name(): string {
    return this.#state.name;
  }
  get address(): string {
    return this.#state.address;
  }
  get port(): number {
    return this.#state.port;
  }
  get running(): boolean {
    return !this.#destroyed && this.#state.processes.length > 0;
  }

  get #pidFile(): string {
    return pidFileOf(this.#overrides, this.#path('sshd.pid'));
  }

  #path(file: string): string {
    return join(this.#state.dir, file);
  }

  /** Runs on this machine as it is: a shared host has nothing of its own to enter. */
  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    if (this.#destroyed) throw wrongState(this.name, 'destroyed');
    checkArgv(argv);
    const [file, ...args] = argv as [string, ...string[]];
    const result = await exec(file, args, {
      stdin: opts.stdin,
      timeoutMs: opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS,
      killGroup: true,
    });
    if (result.timedOut)
      throw new AppError(
        'STEWARD_TESTHOSTS_TIMEOUT',
        `${file} ran longer than ${opts.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS} ms.`,
      );
    return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  }

  spawnDaemon(): Promise<number> {
    return Promise.reject(unsupported('spawnDaemon'));
  }
  writeFile(): Promise<void> {
    return Promise.reject(unsupported('writeFile'));
  }
  readFile(): Promise<Buffer> {
    return Promise.reject(unsupported('readFile'));
  }

  /** Writes the host's key files and sshd_config (for its current address and port). */
  async prepare(rootKeys: readonly string[]): Promise<void> {
    await this.#generateKeys();
    writeFileSync(this.#path('authorized_keys'), rootKeys.map((k) => `${k}\n`).join(''), { mode: 0o600 });
    this.writeConfig();
  }

  writeConfig(): void {
    const config = renderSshdConfig({
      listen: `${this.address}:${this.port}`,
      hostKeyFiles: this.#ctx.keyTypes.map((t) => hostKeyFile(this.#state.dir, t)),
      pidFile: this.#pidFile,
      passwordLogin: false,
      rootPassword: false,
      modeDefaults: {
        AuthorizedKeysFile: this.#path('authorized_keys'),
        // The run folder may sit under a world-writable /tmp, which StrictModes would reject.
        StrictModes: 'no',
        MaxSessions: '100',
        // SSH commands get SHLVL=1, so bash skips root's ~/.bashrc as it would on a stock host; this machine's
        // own .bashrc (a developer's) must not slow every benchmark command down.
        SetEnv: 'SHLVL=1',
        // A line per connection adds up over a benchmark; errors are what a failing run needs.
        LogLevel: 'ERROR',
      },
      overrides: this.#overrides,
    });
    writeFileSync(this.#path('sshd_config'), config, { mode: 0o600 });
  }

  /** Moves the host to 127.0.0.1:`port` when its own address cannot be bound (not root, or 22 taken). */
  usePort(address: string, port: number): void {
    this.#state.address = address;
    this.#state.port = port;
    writeState(this.#state);
    this.writeConfig();
  }

  regenerateHostKeys(): Promise<void> {
    return this.#serial.run(async () => {
      if (this.#destroyed) throw wrongState(this.name, 'destroyed');
      for (const t of this.#ctx.keyTypes) rmSync(hostKeyFile(this.#state.dir, t), { force: true });
      await this.#generateKeys();
      const sshd = this.#state.processes[0];
      if (sshd) {
        // sshd re-execs itself on SIGHUP, rereading its keys; its pid file, removed first, marks it listening again.
        rmSync(this.#pidFile, { force: true });
        signalIfAlive(sshd, 'SIGHUP');
        await this.#waitReady();
      }
      this.#hostKeys = readHostKeys(this.#state.dir, this.#ctx.keyTypes);
    });
  }

  async #generateKeys(): Promise<void> {
    const keys = await Promise.all(this.#ctx.keyTypes.map((t) => generateHostKey(t, `root@${this.name}`)));
    for (const key of keys) {
      writeFileSync(hostKeyFile(this.#state.dir, key.type), key.privateKey, { mode: 0o600 });
      writeFileSync(`${hostKeyFile(this.#state.dir, key.type)}.pub`, key.publicKey, { mode: 0o644 });
    }
  }

  stop(): Promise<void> {
    return this.#serial.run(async () => {
      if (this.#destroyed) throw wrongState(this.name, 'destroyed');
      endProcessesSync([this.#state]);
      this.#state.processes = [];
      writeState(this.#state);
    });
  }

  start(): Promise<void> {
    return this.#serial.run(async () => {
      if (this.#destroyed) throw wrongState(this.name, 'destroyed');
      if (!this.running) await this.boot();
    });
  }

  destroy(): Promise<void> {
    return this.#serial.run(async () => this.destroySync());
  }

  /** For exit handlers: blocking, and safe to call twice. */
  destroySync(): void {
    const state = this.detach();
    const problems = state ? teardownSync([state], this.#ctx.runDir) : [];
    if (problems.length > 0) {
      throw new AppError(
        'STEWARD_TESTHOSTS_SETUP_FAILED',
        `Test host ${this.name} was not fully removed: ${problems.join('; ')}.`,
        { host: this.name },
      );
    }
  }

  /** Marks the host destroyed and hands over its state for teardown (once; later calls get nothing). */
  detach(): HostState | undefined {
    if (this.#destroyed) return undefined;
    this.#destroyed = true;
    this.#ctx.onGone(this);
    return this.#state;
  }

  /** Starts sshd in the foreground (-D) as our child, so its pid is known without a pid-file race. */
  async boot(): Promise<void> {
    // sshd's privilege-separation folder, which a machine without a running sshd may lack.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    // A killed sshd leaves its pid file behind, and the file is how readiness knows the new one listens.
    rmSync(this.#pidFile, { force: true });
    const log = openSync(this.#path('sshd.log'), 'a');
    let pid: number | undefined;
    try {
      const child = spawn(SSHD, ['-D', '-e', '-f', this.#path('sshd_config')], {
        stdio: ['ignore', log, log],
        env: HOST_ENV,
      });
      child.unref();
      pid = child.pid;
    } finally {
      closeSync(log);
    }
    const ref = pid === undefined ? undefined : processRef(pid);
    if (!ref)
      throw new AppError(
        'STEWARD_TESTHOSTS_START_FAILED',
        `sshd for test host ${this.name} did not start.\n${this.logTail()}`,
      );
    this.#state.processes = [ref];
    writeState(this.#state);
    try {
      await this.#waitReady();
    } catch (err) {
      endProcessesSync([this.#state]);
      this.#state.processes = [];
      writeState(this.#state);
      throw err;
    }
    this.#hostKeys = readHostKeys(this.#state.dir, this.#ctx.keyTypes);
  }

  async #waitReady(): Promise<void> {
    const sshd = this.#state.processes[0];
    await waitForSsh(this.address, this.port, {
      timeoutMs: this.#ctx.readyTimeoutMs,
      failure: () => (sshd && !isAlive(sshd) ? 'its sshd exited' : undefined),
      listening: () => existsSync(this.#pidFile),
      diagnostics: () => this.logTail(),
    });
  }

  logTail(): string {
    try {
      return readFileSync(this.#path('sshd.log'), 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }
}
