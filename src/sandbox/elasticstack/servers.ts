import { appendConsole, bootConsole } from '../common/console.js';
import type { InstanceHosts } from '../common/ports.js';
import { claimOf, type Dialect } from './render.js';
import { busy, ElasticFault, missing, usage, type ElasticWorld, type ServerRecord } from './state.js';
import type { Row } from './wire.js';

const DEVICE = /^(ide:[0-1]:[0-1]|scsi:0:[0-7]|block:(?:0:)?[0-7])$/;
const KEY =
  /^(name|cpu|smp|smp:cores|mem|persistent|boot|vnc|vnc:ip|password|vnc:password|vnc:tls|tags|(ide:[0-1]:[0-1]|scsi:0:[0-7]|block:(?:0:)?[0-7])(:media)?|nic:[0-9]:(model|dhcp|vlan|mac|block)|user:.+)$/;
/** On a running server only these may change (platform rule). */
const LIVE_SETTABLE = /^(name|cpu|persistent|tags|password|user:.+)$/;
/** Where the sandbox looks for keys to authorise on the instance's SSH host. */
export const SSH_KEYS_META = 'user:ssh_authorized_keys';

function intIn(row: Map<string, string>, key: string, min: number, max: number): void {
  const v = row.get(key);
  if (v === undefined) return;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max)
    throw usage(`${key} must be a whole number from ${min} to ${max}`);
}

/** Validates configuration keys and folds the 1.0 spellings (`vnc:ip`, `vnc:password`) into 2.0 ones. */
function normalise(input: Row, into: Map<string, string>): void {
  for (const [k, v] of input) {
    if (!KEY.test(k)) throw usage(`${k} is not a server configuration key`);
    if (k === 'vnc:ip') into.set('vnc', v);
    else if (k === 'vnc:password') into.set('password', v);
    else into.set(k, v);
  }
  intIn(into, 'cpu', 500, 20000);
  intIn(into, 'mem', 256, 65536);
  const smp = into.get('smp');
  if (smp !== undefined && smp !== 'auto' && !/^\d{1,2}$/.test(smp))
    throw usage('smp must be a number of cores or auto');
  const persistent = into.get('persistent');
  if (persistent !== undefined && persistent !== 'true' && persistent !== 'false')
    throw usage('persistent must be true or false');
  for (const [k, v] of into) {
    if (/^nic:\d:model$/.test(k) && !['e1000', 'rtl8139', 'virtio'].includes(v))
      throw usage(`${k} must be e1000, rtl8139 or virtio`);
  }
  if ((into.get('password') ?? '').length > 8) throw usage('password must be at most 8 characters');
}

function attach(world: ElasticWorld, s: ServerRecord): void {
  for (const [k, v] of s.config) {
    if (!DEVICE.test(k)) continue;
    if (world.standard(v) !== undefined) continue;
    const drive = world.drive(v);
    if (world.imagingProgress(drive) !== undefined) throw busy(`Drive ${v} is being imaged`);
    const shared = drive.settings.get('claim:type') === 'shared';
    const others = [...drive.claims].filter((c) => !c.includes(`:guest:${s.id}:`));
    if (!shared && others.length > 0) throw busy(`Drive ${v} is in use by another server`);
  }
  for (const [k, v] of s.config) {
    if (DEVICE.test(k) && world.drives.has(v)) world.drives.get(v)?.claims.add(claimOf(s.id, k));
  }
}

async function powerOn(world: ElasticWorld, hosts: InstanceHosts, s: ServerRecord): Promise<void> {
  try {
    if (s.host === undefined) {
      const keys = (s.config.get(SSH_KEYS_META) ?? '')
        .split('\n')
        .map((k) => k.trim())
        .filter((k) => k !== '');
      s.host = await hosts.create(s.id, { authorizedKeys: keys, hostname: hostnameOf(s) });
    } else {
      await hosts.start(s.id);
    }
  } catch {
    throw new ElasticFault(500, 'failed', `Server ${s.id} failed to start`);
  }
  s.status = 'active';
  s.startedS = Math.floor(world.options.clock.nowMs() / 1000);
  booted(world, s);
}

function hostnameOf(s: ServerRecord): string {
  return (
    (s.config.get('name') ?? 'server')
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'server'
  );
}

/** The guest prints its boot, host keys included, to the serial console the `console` command reads. */
function booted(world: ElasticWorld, s: ServerRecord): void {
  if (s.host === undefined) return;
  const boot = bootConsole({ hostname: hostnameOf(s), hostKeys: s.host.hostKeys, bootedAt: world.options.clock.now() });
  s.console = appendConsole(s.console, boot);
}

/** `/servers/{uuid}/console`: the serial console so far (a sandbox extension; see docs/sandbox-clouds.md). */
export function serverConsole(world: ElasticWorld, id: string): string {
  return world.server(id).console;
}

export async function createServer(
  world: ElasticWorld,
  hosts: InstanceHosts,
  input: Row,
  start: boolean,
): Promise<ServerRecord> {
  const config = new Map<string, string>();
  normalise(input, config);
  for (const key of ['name', 'cpu', 'mem']) if (!config.has(key)) throw usage(`${key} is required`);
  if (!config.has('persistent')) config.set('persistent', 'false');
  if (!config.has('smp')) config.set('smp', 'auto');
  const s: ServerRecord = {
    id: world.newId(),
    config,
    status: 'stopped',
    startedS: undefined,
    shutdownAtMs: undefined,
    host: undefined,
    console: '',
  };
  attach(world, s);
  world.servers.set(s.id, s);
  if (start) {
    try {
      await powerOn(world, hosts, s);
    } catch (err) {
      world.forget(s);
      throw err;
    }
  }
  return s;
}

export function setServer(world: ElasticWorld, id: string, input: Row): ServerRecord {
  const s = world.server(id);
  if (s.status === 'active')
    for (const k of input.keys())
      if (!LIVE_SETTABLE.test(k)) throw busy(`${k} cannot be changed while the server is active`);
  const next = new Map(s.config);
  normalise(input, next);
  const previous = new Map(s.config);
  s.config.clear();
  for (const [k, v] of next) s.config.set(k, v);
  try {
    attach(world, s);
  } catch (err) {
    s.config.clear();
    for (const [k, v] of previous) s.config.set(k, v);
    throw err;
  }
  return s;
}

/** Takes the host down: stopped for persistent servers, gone for the others (which the platform destroys). */
async function hostDown(hosts: InstanceHosts, s: ServerRecord): Promise<void> {
  if (s.host === undefined) return;
  if (s.config.get('persistent') === 'true') {
    await hosts.stop(s.id);
  } else {
    await hosts.destroy(s.id);
    s.host = undefined;
  }
}

export async function serverCommand(
  world: ElasticWorld,
  hosts: InstanceHosts,
  dialect: Dialect,
  id: string,
  verb: string,
): Promise<void> {
  const s = world.server(id);
  const running = s.status === 'active' && s.shutdownAtMs === undefined;
  switch (verb) {
    case 'start':
      if (s.status === 'active') throw busy(`Server ${id} is already active`);
      await powerOn(world, hosts, s);
      return;
    case 'stop':
      if (s.status !== 'active') throw busy(`Server ${id} is not active`);
      if (running) await hostDown(hosts, s);
      s.shutdownAtMs = undefined;
      world.powerOff(s);
      return;
    case 'shutdown':
      if (!running) throw busy(`Server ${id} is not active`);
      // The guest takes a moment to obey; the host goes down now, the status follows.
      await hostDown(hosts, s);
      s.shutdownAtMs = world.options.clock.nowMs() + world.options.shutdownMs;
      return;
    case 'reset':
      if (!running) throw busy(`Server ${id} is not active`);
      await hosts.stop(id);
      await hosts.start(id);
      s.startedS = Math.floor(world.options.clock.nowMs() / 1000);
      booted(world, s);
      return;
    case 'destroy':
      if (dialect === 'cloudsigma-1.0' && s.status === 'active')
        throw busy(`Server ${id} cannot be destroyed while running`);
      if (s.host !== undefined) await hosts.destroy(id);
      s.host = undefined;
      world.forget(s);
      return;
    default:
      throw missing(`Command ${verb}`);
  }
}
