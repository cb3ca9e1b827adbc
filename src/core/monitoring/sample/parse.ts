/** Turns the sampling script's output into a `RawSample`. Never throws: a damaged section reads as absent. */
import { frame, SectionView } from '../../discovery/collect/framing.js';
import { parseAccess, parseIntegrity, parseSockets } from './parse-access.js';
import { parseLogs } from './parse-logs.js';
import {
  parseDfUsage,
  parseDiskstats,
  parseLoad,
  parseMemory,
  parseNetDev,
  parseProcesses,
  parseStat,
  parseUptimeSeconds,
} from './parse-system.js';
import { OUTBOUND_PORTS, POOL_PORTS } from './script.js';
import type { RawSample } from './types.js';

const intOrNull = (s: string | undefined): number | null =>
  s !== undefined && /^\d{1,10}$/.test(s.trim()) ? Number(s.trim()) : null;

function parseSsh(value: string | undefined): RawSample['ssh'] {
  const w = (value ?? '').trim().split(/\s+/);
  return w.length === 4 && w[0] && w[2] ? { client: w[0], server: w[2] } : null;
}

export function parseSample(output: string, boundary: string): RawSample {
  const framed = frame(output, boundary);
  const section = (name: string) => new SectionView(framed.sections.get(name));
  const proc = section('proc');
  const shellPid = intOrNull(framed.meta.get('shell'));
  const integrity = section('integrity');
  // ss lists sockets and connections at once; a host without it gives netstat's listening sockets only.
  const net = section('net');
  const sockets = parseSockets(net.text('sockets') ?? net.text('listen') ?? [], {
    pools: POOL_PORTS,
    outbound: OUTBOUND_PORTS,
  });
  return {
    complete: framed.complete,
    uid: intOrNull(framed.meta.get('privilege')),
    shellPid,
    ssh: parseSsh(framed.meta.get('ssh')),
    cpu: parseStat(proc.text('stat') ?? []),
    memory: parseMemory(proc.text('meminfo') ?? []),
    load: parseLoad(proc.text('loadavg') ?? []),
    uptimeSeconds: parseUptimeSeconds(proc.text('uptime') ?? []),
    diskIo: parseDiskstats(proc.text('diskstats') ?? []),
    net: parseNetDev(proc.text('netdev') ?? []),
    processCount: intOrNull(proc.text('nprocs')?.[0]),
    disks: parseDfUsage(section('disks').text('df') ?? []),
    processes: parseProcesses(section('procs').text('ps') ?? [], shellPid),
    listening: sockets.listening,
    poolConnections: sockets.pools,
    outboundConnections: sockets.outbound,
    access: parseAccess(section('access')),
    integrity: integrity.present ? parseIntegrity(integrity) : null,
    logs: parseLogs(section('logs')),
  };
}
