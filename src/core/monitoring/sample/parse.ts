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

/**
 * ss lists sockets and connections at once (with their processes, or bare when Steward knows them); a host
 * without ss gives netstat's listening sockets only.
 */
function socketsOf(
  net: SectionView,
): Pick<RawSample, 'listening' | 'poolConnections' | 'outboundConnections' | 'socketsNamed'> {
  // The first listing with lines: where ss failed, its label is there with nothing under it.
  const [label, lines] = (['sockets', 'sockets-bare', 'listen'] as const)
    .map((l) => [l, net.text(l) ?? []] as const)
    .find(([, ls]) => ls.length > 0) ?? ['sockets', []];
  const s = parseSockets(lines, { pools: POOL_PORTS, outbound: OUTBOUND_PORTS });
  return {
    listening: s.listening,
    poolConnections: s.pools,
    outboundConnections: s.outbound,
    socketsNamed: label !== 'sockets-bare',
  };
}

/** The answer to `socketsRequest`: the sockets with their processes, or null when the output is not whole. */
export function parseNamedSockets(output: string, boundary: string): ReturnType<typeof socketsOf> | null {
  const framed = frame(output, boundary);
  const net = new SectionView(framed.sections.get('net'));
  return framed.complete && net.present ? socketsOf(net) : null;
}

export function parseSample(output: string, boundary: string): RawSample {
  const framed = frame(output, boundary);
  const section = (name: string) => new SectionView(framed.sections.get(name));
  const proc = section('proc');
  const shellPid = intOrNull(framed.meta.get('shell'));
  const integrity = section('integrity');
  const sockets = socketsOf(section('net'));
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
    ...sockets,
    access: parseAccess(section('access')),
    integrity: integrity.present ? parseIntegrity(integrity) : null,
    logs: parseLogs(section('logs')),
  };
}
