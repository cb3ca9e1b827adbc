/** Turns the sampling script's output into a `RawSample`. Never throws: a damaged section reads as absent. */
import { frame, SectionView, type Section } from '../../discovery/collect/framing.js';
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
import type { AccessState, RawSample } from './types.js';

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

/** Whether two sections hold the same text blocks, line for line (a section with other blocks never is). */
function sameText(a: Section, b: Section): boolean {
  if (a.ended !== b.ended || a.blocks.length !== b.blocks.length) return false;
  for (let i = 0; i < a.blocks.length; i++) {
    const x = a.blocks[i]!;
    const y = b.blocks[i]!;
    if (x.type !== 'text' || y.type !== 'text' || x.label !== y.label || x.lines.length !== y.lines.length)
      return false;
    for (let j = 0; j < x.lines.length; j++) if (x.lines[j] !== y.lines[j]) return false;
  }
  return true;
}

type Sockets = ReturnType<typeof socketsOf>;

/**
 * One server's last parsed listing of sockets and of access (accounts, sudoers, keys): they rarely change from
 * one sample to the next, and are the dearest sections to parse. A section whose text is the same as last time
 * gives the same value, without parsing it again. Values handed out are shared between samples: read only.
 */
export interface SampleMemo {
  net?: { readonly section: Section; readonly value: Sockets };
  access?: { readonly section: Section; readonly value: AccessState | null };
}

/** `parse` of a section, or the value remembered for the same text; remembers what it parsed. */
function remembered<K extends keyof SampleMemo>(
  memo: SampleMemo | undefined,
  key: K,
  section: Section | undefined,
  parse: (s: SectionView) => NonNullable<SampleMemo[K]>['value'],
): NonNullable<SampleMemo[K]>['value'] {
  const last = memo?.[key];
  if (section && last && sameText(last.section, section)) return last.value;
  const value = parse(new SectionView(section));
  if (memo && section) memo[key] = { section, value } as SampleMemo[K];
  return value;
}

/** The sample's facts. With `memo` (the same server's, kept between its samples), unchanged sections are reused. */
export function parseSample(output: string, boundary: string, memo?: SampleMemo): RawSample {
  const framed = frame(output, boundary);
  const section = (name: string) => new SectionView(framed.sections.get(name));
  const proc = section('proc');
  const shellPid = intOrNull(framed.meta.get('shell'));
  const integrity = section('integrity');
  const sockets = remembered(memo, 'net', framed.sections.get('net'), socketsOf);
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
    access: remembered(memo, 'access', framed.sections.get('access'), parseAccess),
    integrity: integrity.present ? parseIntegrity(integrity) : null,
    logs: parseLogs(section('logs')),
  };
}
