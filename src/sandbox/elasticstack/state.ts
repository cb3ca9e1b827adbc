import { randomUUID } from 'node:crypto';
import type { Clock } from '../../kernel/clock.js';
import type { InstanceHost } from '../common/ports.js';
import { STANDARD_DRIVES, type StandardDrive } from './library.js';

/** An error answer: status, `X-Elastic-Error` value and the description. */
export class ElasticFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const missing = (what: string): ElasticFault => new ElasticFault(404, 'missing', `${what} could not be found`);
export const usage = (message: string): ElasticFault => new ElasticFault(400, 'usage', message);
export const busy = (message: string): ElasticFault => new ElasticFault(409, 'busy', message);

export interface DriveRecord {
  readonly id: string;
  name: string;
  size: number;
  /** Keys stored as given (`claim:type`, `readers`, `tags`, `user:*`, `encryption:cipher`, `tier`, `avoid`). */
  readonly settings: Map<string, string>;
  imaging: { readonly startMs: number; readonly source: string } | undefined;
  /** Claims as the platform lists them: `<host>:guest:<server>:<device>`. */
  readonly claims: Set<string>;
}

export interface ServerRecord {
  readonly id: string;
  /** Configuration keys as given, with 1.0 spellings folded into 2.0 ones. */
  readonly config: Map<string, string>;
  status: 'active' | 'stopped';
  startedS: number | undefined;
  /** An ACPI shutdown under way: the server stops at this time. */
  shutdownAtMs: number | undefined;
  host: InstanceHost | undefined;
  /** Serial console output of every boot so far (newest last, the last 64 KiB kept). */
  console: string;
}

export interface ElasticWorldOptions {
  readonly clock: Clock;
  readonly user: string;
  /** How long imaging a drive takes (the first tenth is shown as `queued`). */
  readonly imagingMs: number;
  /** How long a guest takes to obey an ACPI shutdown. */
  readonly shutdownMs: number;
}

export const HYPERVISOR = '00000000-5a9d-4b0c-8e1d-000000000001';

/** Drives and servers of the sandbox account, advanced lazily by the clock. */
export class ElasticWorld {
  readonly drives = new Map<string, DriveRecord>();
  readonly servers = new Map<string, ServerRecord>();

  constructor(readonly options: ElasticWorldOptions) {}

  newId(): string {
    return randomUUID();
  }

  standard(id: string): StandardDrive | undefined {
    return STANDARD_DRIVES.find((d) => d.id === id);
  }

  /** `undefined` once imaging is done, else `queued` or a percentage. */
  imagingProgress(drive: DriveRecord): string | undefined {
    if (drive.imaging === undefined) return undefined;
    const elapsed = this.options.clock.nowMs() - drive.imaging.startMs;
    if (elapsed >= this.options.imagingMs) {
      drive.imaging = undefined;
      return undefined;
    }
    if (elapsed < this.options.imagingMs / 10) return 'queued';
    return `${Math.floor((elapsed / this.options.imagingMs) * 100)}%`;
  }

  drive(id: string): DriveRecord {
    const d = this.drives.get(id);
    if (d === undefined) throw missing(`Drive ${id}`);
    return d;
  }

  /** A server, with any finished ACPI shutdown applied (non-persistent servers vanish then). */
  server(id: string): ServerRecord {
    this.settle();
    const s = this.servers.get(id);
    if (s === undefined) throw missing(`Server ${id}`);
    return s;
  }

  allServers(): ServerRecord[] {
    this.settle();
    return [...this.servers.values()];
  }

  settle(): void {
    const now = this.options.clock.nowMs();
    for (const s of this.servers.values()) {
      if (s.shutdownAtMs !== undefined && s.shutdownAtMs <= now) {
        s.shutdownAtMs = undefined;
        this.powerOff(s);
      }
    }
  }

  /** Off: persistent servers keep their configuration as `stopped`; others are destroyed, as the platform does. */
  powerOff(s: ServerRecord): void {
    s.status = 'stopped';
    s.startedS = undefined;
    if (s.config.get('persistent') !== 'true') this.forget(s);
  }

  forget(s: ServerRecord): void {
    for (const d of this.drives.values())
      for (const c of [...d.claims]) if (c.includes(`:guest:${s.id}:`)) d.claims.delete(c);
    this.servers.delete(s.id);
  }
}
