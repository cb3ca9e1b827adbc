import type { ElasticRecord } from './wire.js';
import { multi } from './wire.js';

/**
 * ElasticStack field dialects. "2.0" is later ElasticHosts; "1.0" the original API (OpenHosting, SkaliCloud);
 * "cloudsigma-1.0" CloudSigma's legacy API, which also moves the standard library and refuses to destroy a
 * running server.
 */
export type ElasticDialect = '1.0' | '2.0' | 'cloudsigma-1.0';

export const DIALECTS: readonly ElasticDialect[] = ['1.0', '2.0', 'cloudsigma-1.0'];

export function standardDrivesPath(dialect: ElasticDialect): string {
  return dialect === 'cloudsigma-1.0' ? '/drives/standard/info' : '/drives/info/standard';
}

/** Whether destroying a running server needs a stop first. */
export function stopBeforeDestroy(dialect: ElasticDialect): boolean {
  return dialect === 'cloudsigma-1.0';
}

const isIp = (v: string): boolean => /^[\d.]+$|^[0-9a-f:]+$/i.test(v) && v !== 'auto';

/**
 * Addresses leased to NIC `n`: 2.0 puts them in `nic:N:dhcp:ip` and keeps `nic:N:dhcp auto`; 1.0 replaces the
 * `nic:N:dhcp` value itself. Either may be a list.
 */
export function nicAddresses(record: ElasticRecord, n: number): string[] {
  const leased = multi(record, `nic:${n}:dhcp:ip`);
  if (leased.length > 0) return leased.filter(isIp);
  return multi(record, `nic:${n}:dhcp`).filter(isIp);
}

/** NIC numbers present in a server record. */
export function nicNumbers(record: ElasticRecord): number[] {
  const found = new Set<number>();
  for (const key of Object.keys(record)) {
    const m = /^nic:(\d+):/.exec(key);
    if (m?.[1] !== undefined) found.add(Number(m[1]));
  }
  return [...found].sort((a, b) => a - b);
}

/** CPU cores: `smp:cores` (2.0) or `smp` (may be `auto`, meaning the provider decides). */
export function coresOf(record: ElasticRecord): number | undefined {
  const raw = record['smp:cores'] ?? record['smp'];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}
