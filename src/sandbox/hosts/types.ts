import type { Logger } from '../../kernel/logger.js';

/** How a host is made: its own namespaces and disk, or a plain `sshd` sharing this machine. */
export type HostMode = 'isolated' | 'shared';

/** SSH host key algorithms a host can be given; `ssh-keygen -A` makes all three. */
export type HostKeyType = 'rsa' | 'ecdsa' | 'ed25519';

/** An account to create on the host. `root` always exists; naming it here adds keys or a password. */
export interface UserSpec {
  readonly name: string;
  /** OpenSSH one-line public keys written to `~/.ssh/authorized_keys`. */
  readonly authorizedKeys?: readonly string[];
  /** Enables password login for this user (and `PasswordAuthentication yes` on the host). Travels over stdin only. */
  readonly password?: string;
  /** `true`: passwordless sudo (a sudoers.d entry); `'password'`: member of group sudo, asks for the password. */
  readonly sudo?: boolean | 'password';
  readonly uid?: number;
  /** Login shell; default /bin/bash. */
  readonly shell?: string;
}

/** A file placed on the host before sshd starts. */
export interface FileSpec {
  /** Absolute path inside the host. */
  readonly path: string;
  readonly content: string | Buffer;
  /** Default 0o644. */
  readonly mode?: number;
  /** `user` or `user:group`, resolved inside the host (so it may name a user from `users`). */
  readonly owner?: string;
}

/** What one host should look like. Every field is optional; the default is a root-only host. */
export interface HostSpec {
  /** Host name (also the UTS hostname inside an isolated host). Default `host<N>`. */
  readonly name?: string;
  readonly users?: readonly UserSpec[];
  /**
   * sshd_config keywords that replace Steward's defaults (case-insensitive), e.g. `{ MaxSessions: '2' }`.
   * An empty string removes a default.
   */
  readonly sshd?: Readonly<Record<string, string>>;
  /** Isolated mode only. */
  readonly files?: readonly FileSpec[];
}

/** The outcome of a command run inside a host. A non-zero `code` is a result, not an error. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly stdin?: string | Buffer;
  /** Default 60 s; on expiry the command is killed and the call fails with STEWARD_TESTHOSTS_TIMEOUT. */
  readonly timeoutMs?: number;
}

/** One host key as a client sees it. */
export interface HostKey {
  /** e.g. `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`. */
  readonly type: string;
  /** OpenSSH one-line form: `<type> <base64>` (no comment). */
  readonly publicKey: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
  readonly sha256: string;
}

/**
 * A real OpenSSH server for tests. Isolated hosts have their own network, mount, PID and UTS namespaces and a
 * writable overlay disk; shared hosts are plain `sshd` processes on this machine and support less (see each
 * method).
 */
export interface TestHost {
  readonly name: string;
  readonly mode: HostMode;
  /** IPv4 address clients connect to. */
  readonly address: string;
  readonly port: number;
  /** The keys sshd presents now; refreshed by `regenerateHostKeys()`. */
  readonly hostKeys: readonly HostKey[];
  /** Whether sshd is up (between a completed `start`/`launch` and `stop`/`destroy`). */
  readonly running: boolean;

  /**
   * Runs a command inside the host without SSH, for setting tests up and checking on them: nsenter into its
   * namespaces (isolated, running); a plain chroot into its disk (isolated, stopped: files are the host's,
   * but hostname, processes and network are this machine's); this machine as it is (shared). `argv` goes to
   * execve as is, never through a shell.
   */
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult>;
  /**
   * Starts a long-lived process inside the host (a listener for discovery tests, say) and returns its pid as
   * the host sees it. It ends with the host. Isolated, running hosts only.
   */
  spawnDaemon(argv: readonly string[]): Promise<number>;
  /** Writes a file inside the host (parent folders created). Isolated only. */
  writeFile(path: string, content: string | Buffer, mode?: number): Promise<void>;
  /** Reads a file inside the host. Isolated only. */
  readFile(path: string): Promise<Buffer>;
  /** Replaces every host key with a fresh one and restarts sshd: the "host key changed" scenario. */
  regenerateHostKeys(): Promise<void>;
  /** Takes the host down (every process in it, for isolated hosts), keeping its disk, keys and address. */
  stop(): Promise<void>;
  /** Brings a stopped host back up with the same disk, keys and address. */
  start(): Promise<void>;
  /** Stops the host and removes every trace of it (processes, namespace, veth, mounts, folders, lease). */
  destroy(): Promise<void>;
}

/** Makes and tracks hosts; `destroyAll` (or `destroyAllSync` from an exit handler) ends every one it made. */
export interface HostLauncher {
  readonly mode: HostMode;
  launch(spec?: HostSpec): Promise<TestHost>;
  /** Starts `n` hosts in small concurrent batches; if one fails, the others of this call are destroyed. */
  launchMany(n: number, spec?: (index: number) => HostSpec): Promise<TestHost[]>;
  /** Hosts launched and not yet destroyed. */
  hosts(): readonly TestHost[];
  destroyAll(): Promise<void>;
  /**
   * Same as `destroyAll`, blocking, for `process.on('exit')` where nothing asynchronous runs any more. Throws
   * (after trying everything) if something could not be removed; `cleanupStale` of a later run retries it.
   */
  destroyAllSync(): void;
}

export interface LauncherOptions {
  /** Default `isolated`. */
  readonly mode?: HostMode;
  /** Where per-host folders, state files and address leases live. Default /run/steward-testhosts. */
  readonly runDir?: string;
  /** Cache of debootstrapped roots (isolated). Default /var/cache/steward/testhosts. */
  readonly cacheDir?: string;
  /** Debian packages beyond the standard set (isolated); each list gets its own cached root. */
  readonly extraPackages?: readonly string[];
  /** Debian mirror for debootstrap. Default http://deb.debian.org/debian. */
  readonly mirror?: string;
  /** Public keys authorised for root on every host, in addition to the spec's. */
  readonly rootAuthorizedKeys?: readonly string[];
  /**
   * Host keys each host gets, fresh. Default ed25519 only: an RSA-3072 key costs ~0.8 s of CPU on these
   * machines, more than everything else a host needs. Pass all three for what `ssh-keygen -A` makes.
   */
  readonly hostKeyTypes?: readonly HostKeyType[];
  /** Private IPv4 range carved into one /30 per isolated host. Default 10.213.0.0/16. */
  readonly isolatedPool?: string;
  /** Loopback range for shared hosts (port 22). Default 127.0.64.0/18. */
  readonly sharedPool?: string;
  /** Hosts started at once by `launchMany`. Default 8. */
  readonly concurrency?: number;
  /** How long a host may take to answer with its SSH banner. Default 20 s. */
  readonly readyTimeoutMs?: number;
  readonly logger?: Logger;
}
