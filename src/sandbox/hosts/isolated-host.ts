import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../../kernel/errors.js';
import { bootHost } from './boot.js';
import { wrongState, type HostContext } from './context.js';
import { readHostKeys } from './host-keys.js';
import { mustRunInside, readInside, runInside, writeInside, type Way } from './inside.js';
import { signalIfAlive, type ProcessRef } from './proc.js';
import { waitForSsh } from './readiness.js';
import { Serial } from './serial.js';
import { writeState, type HostState } from './state.js';
import { endProcessesSync, teardownSync } from './teardown.js';
import type { HostKey, RunOptions, RunResult, TestHost } from './types.js';

/** Replaces every host key; the comment names the host as `ssh-keygen -A` would. */
const REKEY_SCRIPT = [
  'set -e',
  'rm -f /etc/ssh/ssh_host_*',
  'for t in "$@"; do ssh-keygen -q -t "$t" -N "" -C "root@$(cat /etc/hostname)" -f "/etc/ssh/ssh_host_${t}_key"; done',
].join('\n');

/** setsid so the daemon leaves nsenter's process group and survives the end of this call. */
const DAEMON_SCRIPT = 'setsid "$@" </dev/null >/dev/null 2>&1 & echo $!';

export class IsolatedHost implements TestHost {
  readonly mode = 'isolated' as const;
  #hostKeys: readonly HostKey[] = [];
  readonly #ctx: HostContext;
  readonly #state: HostState;
  readonly #pidFile: string;
  readonly #serial = new Serial();
  #destroyed = false;
  #hasExited: () => boolean = () => true;

  constructor(ctx: HostContext, state: HostState, pidFile: string) {
    this.#ctx = ctx;
    this.#state = state;
    this.#pidFile = pidFile;
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

  get #merged(): string {
    return this.#state.merged ?? join(this.#state.dir, 'merged');
  }

  get #logPath(): string {
    return join(this.#state.dir, 'sshd.log');
  }

  #way(): Way {
    if (this.#destroyed) throw wrongState(this.name, 'destroyed');
    const init = this.#state.processes[0];
    return init ? { kind: 'nsenter', init } : { kind: 'chroot', merged: this.#merged };
  }

  async run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    const result = await runInside(this.#way(), argv, opts);
    if (result.timedOut) {
      throw new AppError(
        'STEWARD_TESTHOSTS_TIMEOUT',
        `${argv[0] ?? ''} on test host ${this.name} ran longer than ${opts.timeoutMs ?? 60_000} ms.`,
        { host: this.name },
      );
    }
    return { code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  }

  async spawnDaemon(argv: readonly string[]): Promise<number> {
    if (!this.running) throw wrongState(this.name, 'not running');
    const result = await mustRunInside(this.#way(), ['/bin/sh', '-c', DAEMON_SCRIPT, 'steward-daemon', ...argv]);
    return Number(result.stdout.toString('utf8').trim());
  }

  writeFile(path: string, content: string | Buffer, mode?: number): Promise<void> {
    return writeInside(this.#way(), path, content, mode);
  }

  readFile(path: string): Promise<Buffer> {
    return readInside(this.#way(), path);
  }

  regenerateHostKeys(): Promise<void> {
    return this.#serial.run(async () => {
      const way = this.#way();
      await mustRunInside(way, ['/bin/sh', '-c', REKEY_SCRIPT, 'steward-rekey', ...this.#ctx.keyTypes]);
      const init = this.#state.processes[0];
      if (init) {
        // sshd re-execs itself on SIGHUP, rereading its keys; its pid file, removed first, marks it listening again.
        rmSync(this.#pidFilePath(init), { force: true });
        signalIfAlive(init, 'SIGHUP');
        await this.#waitReady();
      }
      this.#hostKeys = readHostKeys(join(this.#merged, 'etc/ssh'), this.#ctx.keyTypes);
    });
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

  /** Starts pid 1 and waits for the banner. Called by launch and start, inside the serial queue. */
  async boot(): Promise<void> {
    // Left by the previous boot when it was killed; its absence is how readiness knows the new sshd listens.
    rmSync(join(this.#merged, this.#pidFile), { force: true });
    const spawned = Date.now();
    const booted = await bootHost(this.#state.netns ?? this.#state.id, this.#merged, this.#logPath, this.#ctx.keyTypes);
    const initFound = Date.now();
    this.#state.processes = [booted.init, booted.unshare];
    this.#hasExited = booted.hasExited;
    writeState(this.#state);
    await this.#waitReady();
    this.#hostKeys = readHostKeys(join(this.#merged, 'etc/ssh'), this.#ctx.keyTypes);
    this.#ctx.logger?.debug(
      { host: this.name, address: this.address, initMs: initFound - spawned, readyMs: Date.now() - initFound },
      'test host up',
    );
  }

  /** The pid file as this machine reaches it: through pid 1's root, which sees the host's own /run. */
  #pidFilePath(init: ProcessRef): string {
    return join('/proc', String(init.pid), 'root', this.#pidFile);
  }

  async #waitReady(): Promise<void> {
    const init = this.#state.processes[0];
    await waitForSsh(this.address, this.port, {
      timeoutMs: this.#ctx.readyTimeoutMs,
      failure: () => (this.#hasExited() ? 'its sshd (pid 1 of the host) exited' : undefined),
      listening: () => init !== undefined && existsSync(this.#pidFilePath(init)),
      diagnostics: () => this.#logTail(),
    });
  }

  #logTail(): string {
    try {
      return readFileSync(this.#logPath, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  }
}
