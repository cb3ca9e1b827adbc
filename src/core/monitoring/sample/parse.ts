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

/** The labels a socket listing may come under (ss with processes, bare ss, netstat), the first taken first. */
const LABELS = ['sockets', 'sockets-bare', 'listen'] as const;
type SocketsLabel = (typeof LABELS)[number];

type Sockets = Pick<RawSample, 'listening' | 'poolConnections' | 'outboundConnections' | 'socketsNamed'>;

/** The listing's label (which command gave it) and its lines: the first with lines, as ss failed or not. */
function listingOf(net: SectionView): readonly [SocketsLabel, readonly string[]] {
  for (const label of LABELS) {
    const lines = net.text(label);
    if (lines && lines.length > 0) return [label, lines];
  }
  return ['sockets', []];
}

/**
 * ss lists sockets and connections at once (with their processes, or bare when Steward knows them); a host
 * without ss gives netstat's listening sockets only.
 */
function socketsOf(label: SocketsLabel, lines: readonly string[]): Sockets {
  const s = parseSockets(lines, { pools: POOL_PORTS, outbound: OUTBOUND_PORTS });
  return {
    listening: s.listening,
    poolConnections: s.pools,
    outboundConnections: s.outbound,
    socketsNamed: label !== 'sockets-bare',
  };
}

/** An ss line without its queue columns (Netid State Recv-Q Send-Q …), blanks as one: what the parse reads. */
const withoutQueues = (line: string): string => line.replace(/^\s*(\S+\s+\S+)\s+\S+\s+\S+/, '$1').replace(/\s+/g, ' ');

/**
 * Whether two ss listings list the same sockets: line for line the same but for the queue columns, which move
 * with the traffic of the moment (a busy connection's Recv-Q) and which nothing reads. Netstat's are compared whole.
 */
function sameListing(label: SocketsLabel, a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y && (label === 'listen' || withoutQueues(x) !== withoutQueues(y))) return false;
  }
  return true;
}

/** The answer to `socketsRequest`: the sockets with their processes, or null when the output is not whole. */
export function parseNamedSockets(output: string, boundary: string): Sockets | null {
  const framed = frame(output, boundary);
  const net = new SectionView(framed.sections.get('net'));
  return framed.complete && net.present ? socketsOf(...listingOf(net)) : null;
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

/**
 * One server's last parsed listings of sockets (one per kind: with processes, bare) and of access (accounts,
 * sudoers, keys): they rarely change from one sample to the next, and are the dearest sections to parse. A
 * section that lists the same as last time gives the same value, without parsing it again. Values handed out are
 * shared between samples: read only.
 */
export interface SampleMemo {
  readonly net: Map<SocketsLabel, { readonly lines: readonly string[]; readonly value: Sockets }>;
  access?: { readonly section: Section; readonly value: AccessState | null };
}

export const newSampleMemo = (): SampleMemo => ({ net: new Map() });

/**
 * A copy of plain data that shares no text with the sample's output. In V8 a string cut from another (a line of the
 * output, a field of a line) keeps the whole of that string alive while it lives. What is kept from one sample to
 * the next (a server's memo, its socket names) would otherwise hold that server's last outputs, 20–30 KB each, and
 * move them to the old generation, whose growth decides how often the whole heap is marked (decision 0009).
 */
export const detached = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * The section's sockets, or the value remembered for the same listing of the same kind; remembers what it parsed
 * (detached from the output, and handed out as remembered, so that the next sample's reuse is the same value).
 */
function socketsRemembered(memo: SampleMemo | undefined, net: SectionView): Sockets {
  const [label, lines] = listingOf(net);
  if (!memo) return socketsOf(label, lines);
  const last = memo.net.get(label);
  if (last && sameListing(label, last.lines, lines)) return last.value;
  const kept = detached({ lines, value: socketsOf(label, lines) });
  memo.net.set(label, kept);
  return kept.value;
}

/** The access section's facts, or the value remembered for the same text; remembers what it parsed (detached). */
function accessRemembered(memo: SampleMemo | undefined, section: Section | undefined): AccessState | null {
  const last = memo?.access;
  if (section && last && sameText(last.section, section)) return last.value;
  const value = parseAccess(new SectionView(section));
  if (!memo || !section) return value;
  memo.access = detached({ section, value });
  return memo.access.value;
}

/** The sample's facts. With `memo` (the same server's, kept between its samples), unchanged sections are reused. */
export function parseSample(output: string, boundary: string, memo?: SampleMemo): RawSample {
  const framed = frame(output, boundary);
  const section = (name: string) => new SectionView(framed.sections.get(name));
  const proc = section('proc');
  const shellPid = intOrNull(framed.meta.get('shell'));
  const integrity = section('integrity');
  const sockets = socketsRemembered(memo, section('net'));
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
    access: accessRemembered(memo, framed.sections.get('access')),
    integrity: integrity.present ? parseIntegrity(integrity) : null,
    logs: parseLogs(section('logs')),
  };
}
