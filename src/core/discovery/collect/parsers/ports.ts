/**
 * Listening sockets from `ss -tulpn` (iproute2), `netstat -tulpn` (net-tools or busybox, with or without the
 * PID/Program column) or, on a host with neither, /proc/net/{tcp,udp}[6] (kernel proc(5) format).
 */
import type { ListeningPort } from '../facts.js';
import { toInt, toPort, words } from './util.js';

/** `127.0.0.1:80`, `[::1]:6379`, `*:22`, `:::22`, `127.0.0.53%lo:53` → address and port. */
export function splitHostPort(s: string): { address: string; port: number } | null {
  const i = s.lastIndexOf(':');
  if (i <= 0 && !s.startsWith(':')) return null;
  const port = toPort(s.slice(i + 1));
  if (port === null) return null;
  let address = s.slice(0, i);
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  address = address.replace(/%[^%]*$/, '');
  if (address === '' || address === '::') address = address === '' ? '*' : '::';
  return { address, port };
}

function protoOf(s: string | undefined): 'tcp' | 'udp' | null {
  if (s === undefined) return null;
  if (/^tcp6?$/.test(s)) return 'tcp';
  if (/^udp6?$/.test(s)) return 'udp';
  return null;
}

/** `users:(("nginx",pid=812,fd=6),("nginx",pid=813,fd=6))` → the first process. */
function ssProcess(rest: string): { process: string | null; pid: number | null } {
  const m = /\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(rest);
  if (!m) return { process: null, pid: null };
  return { process: m[1] ?? null, pid: toInt(m[2]) };
}

/** Netid State Recv-Q Send-Q Local Peer [Process]: one match per line rather than a split (monitoring reads it often). */
const SS_LINE = /^\s*(tcp|udp)6?\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+(?:\s+(.*?))?\s*$/;

export function parseSs(lines: readonly string[]): ListeningPort[] {
  const out: ListeningPort[] = [];
  for (const line of lines) {
    const m = SS_LINE.exec(line);
    if (!m) continue;
    const proto = m[1] as 'tcp' | 'udp';
    if (m[2] !== (proto === 'tcp' ? 'LISTEN' : 'UNCONN')) continue;
    const local = splitHostPort(m[3]!);
    if (!local) continue;
    // Runs of blanks in the process column read as one, as they did when the line was split into words.
    out.push({ proto, ...local, ...ssProcess(m[4]?.replace(/\s+/g, ' ') ?? '') });
  }
  return out;
}

export function parseNetstat(lines: readonly string[]): ListeningPort[] {
  const out: ListeningPort[] = [];
  for (const line of lines) {
    const w = words(line);
    const proto = protoOf(w[0]);
    if (!proto || w.length < 5) continue;
    const local = splitHostPort(w[3] ?? '');
    if (!local) continue;
    let rest = w.slice(5);
    if (proto === 'tcp') {
      if (rest[0] !== 'LISTEN') continue;
      rest = rest.slice(1);
    } else if (rest[0] && /^[A-Z_]+$/.test(rest[0])) {
      rest = rest.slice(1);
    }
    const pp = /^(\d+)\/(.*)$/.exec(rest.join(' '));
    // busybox prints the command line (`nginx: master process ...`); keep the program name.
    const program = (pp?.[2] ?? '').trim().split(/\s+/)[0]?.replace(/:$/, '').replace(/^.*\//, '') ?? '';
    out.push({ proto, ...local, process: program || null, pid: pp ? toInt(pp[1]) : null });
  }
  return out;
}

function hexToIpv4(hex: string): string {
  // The kernel prints the address as one native-endian (little-endian on x86 and arm64) 32-bit number.
  const bytes = hex.match(/../g) ?? [];
  return bytes
    .reverse()
    .map((b) => parseInt(b, 16))
    .join('.');
}

/** RFC 5952 text form: lower case, leading zeros dropped, the longest run of two or more zero groups as `::`. */
export function compressIpv6(groups: readonly string[]): string {
  const g = groups.map((x) => x.toLowerCase().replace(/^0+(?=.)/, ''));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < g.length;) {
    if (g[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < g.length && g[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return g.join(':');
  return `${g.slice(0, best).join(':')}::${g.slice(best + bestLen).join(':')}`;
}

function hexToIpv6(hex: string): string {
  const groups: string[] = [];
  for (let word = 0; word < 4; word++) {
    const bytes = (hex.slice(word * 8, word * 8 + 8).match(/../g) ?? []).reverse();
    groups.push(`${bytes[0] ?? '00'}${bytes[1] ?? '00'}`, `${bytes[2] ?? '00'}${bytes[3] ?? '00'}`);
  }
  return compressIpv6(groups);
}

/** One /proc/net/{tcp,udp,tcp6,udp6} table; `file` says which. TCP state 0A is LISTEN, UDP 07 is unconnected. */
export function parseProcNet(file: string, lines: readonly string[]): ListeningPort[] {
  const proto = /udp/.test(file) ? 'udp' : 'tcp';
  const v6 = file.endsWith('6');
  const out: ListeningPort[] = [];
  for (const line of lines) {
    const w = words(line);
    const m = /^([0-9A-Fa-f]+):([0-9A-Fa-f]{4})$/.exec(w[1] ?? '');
    if (!/^\d+:$/.test(w[0] ?? '') || !m?.[1] || !m[2]) continue;
    const st = (w[3] ?? '').toUpperCase();
    if ((proto === 'tcp' && st !== '0A') || (proto === 'udp' && st !== '07')) continue;
    if ((v6 && m[1].length !== 32) || (!v6 && m[1].length !== 8)) continue;
    out.push({
      proto,
      address: v6 ? hexToIpv6(m[1]) : hexToIpv4(m[1]),
      port: parseInt(m[2], 16),
      process: null,
      pid: null,
    });
  }
  return out;
}
