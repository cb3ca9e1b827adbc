/** The shapes detection rules work on: pure data, so each rule is a plain function with its own tests. */

export type Severity = 'info' | 'warning' | 'critical';

export const RULE_IDS = [
  'ssh_brute_force',
  'new_login_address',
  'privileged_account',
  'authorized_key',
  'listening_port',
  'cpu_miner',
  'system_binary',
  'disk_filling',
  'outbound_attack',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** What a rule reports; the service turns it into a stored finding (or adds an occurrence to an open one). */
export interface FindingDraft {
  readonly rule: RuleId;
  /** The finding's subject within its rule (an address, an account, a port), for de-duplication. */
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  /** What was seen: log lines, counts, before and after. Never secrets. */
  readonly evidence: Readonly<Record<string, unknown>>;
}

/** The security-relevant state of a server that each sample is compared with. */
export interface SecurityState {
  readonly uid0: readonly string[];
  /** Accounts that can become root: uid 0, admin groups, sudoers rules granting everything. */
  readonly admins: readonly string[];
  /** `user fingerprint` of every authorized key, with the key's comment. */
  readonly authorizedKeys: readonly {
    readonly id: string;
    readonly user: string;
    readonly type: string;
    readonly comment: string;
  }[];
  /** Listening sockets by `proto/port`. */
  readonly ports: readonly { readonly id: string; readonly address: string; readonly process: string | null }[];
  /** Watched binaries by real path; null until an integrity sample was taken. */
  readonly binaries: Readonly<Record<string, { readonly sha256: string; readonly packaged: boolean | null }>> | null;
}

/** One sshd authentication line, understood. */
export interface AuthEvent {
  readonly kind: 'failure' | 'success';
  readonly user: string | null;
  readonly address: string;
  /** Source port; attempts over one connection share it. */
  readonly port: number | null;
  readonly method: string | null;
  readonly invalidUser: boolean;
  /** When the line was logged (its time stamp) or, lacking one, first seen by Steward. */
  readonly atMs: number;
  readonly line: string;
}

/** A busy process as detection tracks it across samples. */
export interface ProcessTrack {
  readonly pid: number;
  readonly command: string;
  readonly args: string;
  readonly user: string;
  readonly cpuPercent: number;
  /** Since when it has kept using at least the pinning share of a CPU; null when it is not. */
  readonly hotSinceMs: number | null;
}

export interface DiskTrend {
  readonly mount: string;
  readonly sizeBytes: number;
  /** [epoch seconds, free bytes], oldest first. */
  readonly points: readonly (readonly [number, number])[];
}

export interface Thresholds {
  /** Failed logins from one address within the window that make a brute-force finding. */
  readonly bruteForceFailures: number;
  readonly bruteForceWindowMinutes: number;
  /** Share of one CPU, in percent, that counts as pinning it. */
  readonly pinnedCpuPercent: number;
  readonly pinnedMinutes: number;
  /** A disk that will be full within this many hours at its recent rate is filling fast. */
  readonly diskFullWithinHours: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  bruteForceFailures: 10,
  bruteForceWindowMinutes: 10,
  pinnedCpuPercent: 80,
  pinnedMinutes: 10,
  diskFullWithinHours: 2,
};

/** Everything the rules look at for one server at one moment. Absent parts mean "not known this time". */
export interface DetectionInput {
  readonly nowMs: number;
  /** Null before the first complete look at the server: rules that compare states stay silent until then. */
  readonly before: SecurityState | null;
  readonly after: SecurityState | null;
  /**
   * Authentication events of the last window (including the fresh ones) and those just read. Monitoring reads the
   * window only when fresh lines came (nothing in it can start to matter otherwise): empty when there are none.
   */
  readonly auth: { readonly window: readonly AuthEvent[]; readonly fresh: readonly AuthEvent[] };
  /** `account@address` pairs that logged in before; null while the log is read for the first time (baseline). */
  readonly knownLogins: ReadonlySet<string> | null;
  /** Steward's own addresses as the server sees them: its logins are not news. */
  readonly ownAddresses: ReadonlySet<string>;
  /** Fingerprints of keys Steward itself installs (the organisation's key). */
  readonly ownKeys: ReadonlySet<string>;
  readonly processes: readonly ProcessTrack[];
  readonly poolConnections: readonly {
    readonly peer: string;
    readonly process: string | null;
    readonly pid: number | null;
  }[];
  readonly disks: readonly DiskTrend[];
  /** Connections the server itself opens to ports attackers scan (SSH, telnet, RDP, SMB); absent when not read. */
  readonly outboundConnections?: readonly {
    readonly local?: string;
    readonly peer: string;
    readonly process: string | null;
  }[];
  /**
   * `address:port` of the servers Steward manages for the organisation. A connection to one of them from one of
   * Steward's own addresses is Steward's own (it runs on this server and logs in to the others), not an attack.
   */
  readonly stewardPeers?: ReadonlySet<string>;
  readonly thresholds: Thresholds;
}

export type Rule = (input: DetectionInput) => FindingDraft[];
