/** What one sample of a server says, as parsed from the script's output; no derived figures yet. */
import type { ListeningPort } from '../../discovery/collect/index.js';

/** Clock ticks per CPU state, summed over all CPUs (/proc/stat's `cpu` line). */
export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softirq: number;
  readonly steal: number;
}

export interface DiskUsage {
  readonly filesystem: string;
  readonly mount: string;
  readonly sizeKb: number;
  readonly usedKb: number;
  readonly availableKb: number;
}

/** Cumulative counters of one whole block device (/proc/diskstats). */
export interface DiskIo {
  readonly device: string;
  readonly sectorsRead: number;
  readonly sectorsWritten: number;
  /** Milliseconds the device had I/O in flight. */
  readonly busyMs: number;
}

/** Cumulative counters of one network interface (/proc/net/dev). */
export interface NetIo {
  readonly iface: string;
  readonly rxBytes: number;
  readonly txBytes: number;
}

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly user: string;
  readonly elapsedSeconds: number;
  /** CPU time used since it started. */
  readonly cpuSeconds: number;
  /** ps's figure: CPU time over lifetime, in percent of one CPU. */
  readonly cpuPercent: number;
  readonly rssKb: number;
  /** The kernel's name for it (/proc/PID/comm); empty when it ended before it was read. */
  readonly command: string;
  /** Its arguments as ps shows them (may hold secrets: redact before keeping). */
  readonly args: string;
}

export interface PoolConnection {
  readonly local: string;
  readonly peer: string;
  readonly process: string | null;
  readonly pid: number | null;
}

export interface AccountRow {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

export interface AccessState {
  readonly accounts: readonly AccountRow[];
  readonly adminGroups: readonly {
    readonly group: string;
    readonly gid: number;
    readonly members: readonly string[];
  }[];
  readonly sudoers: readonly { readonly path: string; readonly content: string }[];
  readonly authorizedKeys: readonly {
    readonly user: string;
    readonly file: string;
    readonly type: string;
    readonly fingerprint: string;
    readonly comment: string;
  }[];
}

export interface BinaryHash {
  readonly path: string;
  readonly realPath: string;
  readonly sha256: string;
  /** Whether the package manager's record of the file matches it; null when no package claims it. */
  readonly packaged: boolean | null;
}

/** New bytes of one followed log (`rotated`: the tail of its previous file, which is complete). */
export interface LogChunk {
  readonly index: number;
  readonly kind: 'current' | 'rotated' | 'truncated';
  readonly inode: string;
  readonly start: number;
  readonly data: Buffer;
}

export interface LogNote {
  readonly index: number;
  readonly kind: 'missing' | 'lost' | 'same';
}

export interface RawSample {
  /** The script's closing marker was seen (nothing was cut off). */
  readonly complete: boolean;
  /** The uid the body ran as (0 when root or through sudo). */
  readonly uid: number | null;
  readonly shellPid: number | null;
  /** Steward's address and the server's, as the server saw the SSH connection. */
  readonly ssh: { readonly client: string; readonly server: string } | null;
  readonly cpu: {
    readonly total: CpuTimes | null;
    readonly count: number;
    readonly running: number | null;
    readonly blocked: number | null;
    readonly bootTime: number | null;
  };
  readonly memory: {
    readonly totalKb: number;
    readonly availableKb: number;
    readonly swapTotalKb: number;
    readonly swapFreeKb: number;
  } | null;
  readonly load: readonly [number, number, number] | null;
  readonly uptimeSeconds: number | null;
  readonly disks: readonly DiskUsage[];
  readonly diskIo: readonly DiskIo[];
  readonly net: readonly NetIo[];
  readonly processCount: number | null;
  readonly processes: readonly ProcessRow[];
  readonly listening: readonly ListeningPort[];
  /** False when the sockets came without their processes (a bare listing: sockets.ts). */
  readonly socketsNamed: boolean;
  readonly poolConnections: readonly PoolConnection[];
  /** Connections the server opens to ports attackers scan (SSH, telnet, SMB, RDP). */
  readonly outboundConnections: readonly PoolConnection[];
  readonly access: AccessState | null;
  readonly integrity: readonly BinaryHash[] | null;
  readonly logs: {
    readonly stat: readonly { readonly path: string; readonly inode: string; readonly size: number }[];
    readonly chunks: readonly LogChunk[];
    readonly notes: readonly LogNote[];
  };
}
