import { EVERYONE, type StandardDrive } from './library.js';
import { HYPERVISOR, type DriveRecord, type ElasticWorld, type ServerRecord } from './state.js';
import type { Row } from './wire.js';

export type Dialect = '1.0' | '2.0' | 'cloudsigma-1.0';

/** A server as `info` shows it, in the dialect's spelling of addresses and VNC. */
export function serverRow(s: ServerRecord, dialect: Dialect, user: string): Row {
  const row: Row = new Map([
    ['server', s.id],
    ['user', user],
    ['status', s.status],
  ]);
  const address = s.status === 'active' ? s.host?.address : undefined;
  for (const [k, v] of s.config) {
    if (k === 'nic:0:dhcp' || k === 'vnc' || k === 'password') continue;
    row.set(k, v);
  }
  if (s.config.has('nic:0:dhcp')) {
    if (dialect === '2.0') {
      row.set('nic:0:dhcp', s.config.get('nic:0:dhcp') ?? 'auto');
      if (address !== undefined) row.set('nic:0:dhcp:ip', address);
    } else {
      row.set('nic:0:dhcp', address ?? s.config.get('nic:0:dhcp') ?? 'auto');
    }
  }
  const password = s.config.get('password');
  if (s.config.has('vnc')) {
    if (dialect === '2.0') row.set('vnc', s.config.get('vnc') ?? 'auto');
    row.set('vnc:ip', address ?? 'auto');
    if (password !== undefined) row.set(dialect === '2.0' ? 'password' : 'vnc:password', password);
  }
  if (s.status === 'active') {
    row.set('started', String(s.startedS ?? 0));
    for (const k of ['rx', 'tx', 'rx:packets', 'tx:packets']) row.set(k, '0');
  }
  return row;
}

export function driveRow(d: DriveRecord, world: ElasticWorld, dialect: Dialect, user: string): Row {
  const row: Row = new Map([
    ['drive', d.id],
    ['name', d.name],
    ['size', String(d.size)],
    ['status', 'active'],
    ['user', user],
    ['claim:type', 'exclusive'],
    ['encryption:cipher', 'aes-xts-plain'],
    ['read:bytes', '0'],
    ['read:requests', '0'],
    ['write:bytes', '0'],
    ['write:requests', '0'],
  ]);
  for (const [k, v] of d.settings) row.set(k, v);
  if (dialect === '2.0' && !row.has('tier')) row.set('tier', 'disk');
  if (d.claims.size > 0) row.set('claimed', [...d.claims].join(' '));
  const imaging = world.imagingProgress(d);
  if (imaging !== undefined) row.set('imaging', imaging);
  return row;
}

export function standardRow(s: StandardDrive, dialect: Dialect): Row {
  const row: Row = new Map([
    ['drive', s.id],
    ['name', s.name],
    ['claim:type', 'shared'],
    ['readers', EVERYONE],
    ['size', String(s.size)],
    ['status', 'active'],
  ]);
  if (s.format !== undefined) {
    row.set('rawsize', String(s.rawsize));
    row.set('format', s.format);
  }
  // CloudSigma's library says `type`, ElasticHosts' says `media`.
  row.set(dialect === 'cloudsigma-1.0' ? 'type' : 'media', s.media);
  return row;
}

export const claimOf = (serverId: string, device: string): string => `${HYPERVISOR}:guest:${serverId}:${device}`;
