import type { Image, Node, NodeState } from '../types.js';
import { coresOf, nicAddresses, nicNumbers } from './dialect.js';
import { sizeIdFor, type ElasticSize } from './sizes.js';
import { multi, type ElasticRecord } from './wire.js';

/** Server metadata keys the driver writes (all under the platform's free-form `user:` namespace). */
export const META = {
  token: 'user:steward_token',
  image: 'user:steward_image',
  created: 'user:steward_created',
  sshKeys: 'user:ssh_authorized_keys',
} as const;

const STATES: Record<string, NodeState> = {
  active: 'running',
  stopped: 'stopped',
  paused: 'stopped',
  dead: 'terminated',
};

const DEVICE = /^(ide:[0-1]:[0-1]|scsi:0:[0-7]|block:(?:0:)?[0-7])$/;

export function stateOfServer(status: string | undefined): NodeState {
  return (status !== undefined ? STATES[status] : undefined) ?? 'unknown';
}

/** `user:` metadata without the keys the driver manages itself. */
export function userMetadata(record: ElasticRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (k.startsWith('user:') && !(Object.values(META) as string[]).includes(k)) out[k.slice(5)] = v;
  }
  return out;
}

/** Drives attached to a server, by device. */
export function serverDrives(record: ElasticRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) if (DEVICE.test(k)) out[k] = v;
  return out;
}

export function nodeFromServer(record: ElasticRecord, zoneId: string, sizes: readonly ElasticSize[]): Node {
  const nics = nicNumbers(record);
  const cpu = Number(record['cpu'] ?? NaN);
  const mem = Number(record['mem'] ?? NaN);
  const createdText = record[META.created];
  const created = createdText === undefined ? undefined : new Date(createdText);
  const started = record['started'] === undefined ? undefined : new Date(Number(record['started']) * 1000);
  // Picked field by field: `password`/`vnc:password` (the console login on the platform's images) never reach `extra`.
  const extra: Record<string, unknown> = {
    providerState: record['status'],
    cpuMHz: Number.isFinite(cpu) ? cpu : undefined,
    memMiB: Number.isFinite(mem) ? mem : undefined,
    cores: coresOf(record),
    persistent: record['persistent'] === undefined ? undefined : record['persistent'] === 'true',
    boot: multi(record, 'boot'),
    drives: serverDrives(record),
    vncIp: record['vnc:ip'],
    started,
    blockedPorts: multi(record, 'nic:0:block'),
    tags: multi(record, 'tags'),
    metadata: userMetadata(record),
    launchToken: record[META.token],
    owner: record['user'],
  };
  return {
    id: record['server'] ?? '',
    name: record['name'] ?? record['server'] ?? '',
    state: stateOfServer(record['status']),
    publicIps: nics.includes(0) ? nicAddresses(record, 0) : [],
    privateIps: nics.filter((n) => n > 0).flatMap((n) => nicAddresses(record, n)),
    sizeId: Number.isFinite(cpu) && Number.isFinite(mem) ? sizeIdFor(cpu, mem, sizes) : undefined,
    imageId: record[META.image],
    locationId: zoneId,
    created: created !== undefined && !Number.isNaN(created.getTime()) ? created : undefined,
    extra,
  };
}

/** A standard (library) drive offered as an image; CD-ROM installers are not images. */
export function imageFromStandardDrive(record: ElasticRecord): Image | undefined {
  const media = record['media'] ?? record['type'];
  if (media !== undefined && media !== 'disk') return undefined;
  const rawsize = Number(record['rawsize'] ?? record['size'] ?? NaN);
  return {
    id: record['drive'] ?? '',
    name: record['name'] ?? record['drive'] ?? '',
    extra: {
      format: record['format'],
      sizeBytes: Number.isFinite(rawsize) ? rawsize : undefined,
      compressedBytes: record['size'] === undefined ? undefined : Number(record['size']),
      os: record['os'],
      bits: record['bits'],
    },
  };
}

/** The bits of a drive record the create flow looks at. */
export interface DriveInfo {
  readonly id: string;
  readonly name: string;
  readonly sizeBytes: number | undefined;
  /** `queued` or a percentage while imaging; undefined once done. */
  readonly imaging: string | undefined;
  readonly claimed: readonly string[];
  readonly token: string | undefined;
}

export function driveInfo(record: ElasticRecord): DriveInfo {
  const size = Number(record['size'] ?? NaN);
  return {
    id: record['drive'] ?? '',
    name: record['name'] ?? '',
    sizeBytes: Number.isFinite(size) ? size : undefined,
    imaging: record['imaging'],
    claimed: multi(record, 'claimed'),
    token: record[META.token],
  };
}
