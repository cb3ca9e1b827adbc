/**
 * Processes from one procps `ps` (see parseProcpsWide), from procps `ps -eo pid=,ppid=,uid=,pcpu=,pmem=,rss=,comm=`
 * joined with `ps -eo pid=,args=` (a procps without column widths, and scripts before version 2), or from
 * busybox `ps -o pid,ppid,user,rss,args` and `top -b -n 1` (header-driven, since busybox builds differ in columns).
 */
import { toInt, toNumber, words } from './util.js';

export interface RawProcess {
  readonly pid: number;
  readonly ppid: number | null;
  readonly uid: number | null;
  readonly user: string | null;
  readonly command: string;
  readonly args: string;
  readonly cpuPercent: number | null;
  readonly memPercent: number | null;
  readonly rssKb: number | null;
}

/** busybox prints sizes as `1234` (KiB), `12m`, `1.5g`. */
export function parseBusyboxSize(s: string | undefined): number | null {
  const m = /^(\d+(?:\.\d+)?)([kmgt]?)$/i.exec(s ?? '');
  if (!m?.[1]) return null;
  const mult = { '': 1, k: 1, m: 1024, g: 1024 ** 2, t: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

function baseCommand(args: string): string {
  const first = args.startsWith('[') ? args.replace(/^\[|\]$/g, '') : (args.split(' ')[0] ?? '');
  return first.replace(/^.*\//, '').replace(/:$/, '') || args;
}

export function parseProcpsPs(statLines: readonly string[], argLines: readonly string[]): RawProcess[] {
  const args = new Map<number, string>();
  for (const line of argLines) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (m?.[1]) args.set(Number(m[1]), (m[2] ?? '').trim());
  }
  const out: RawProcess[] = [];
  for (const line of statLines) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const pid = Number(m[1]);
    const command = (m[7] ?? '').trim();
    out.push({
      pid,
      ppid: toInt(m[2]),
      uid: toInt(m[3]),
      user: null,
      command,
      args: args.get(pid) ?? command,
      cpuPercent: toNumber(m[4]),
      memPercent: toNumber(m[5]),
      rssKb: toInt(m[6]),
    });
  }
  return out;
}

/**
 * procps `ps -eo PROCPS_WIDE_FORMAT` (script/sections-system.ts): one run for both. The command name is padded
 * to exactly 15 characters (the kernel keeps no more), so it may hold spaces and the arguments still start at a
 * known column after it.
 */
export function parseProcpsWide(lines: readonly string[]): RawProcess[] {
  const out: RawProcess[] = [];
  for (const line of lines) {
    // A column that outgrew its width anyway shifts the name: read it as one word then rather than lose the process.
    const m =
      /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+) (.{15})(?: (.*))?$/.exec(line) ??
      /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (!m?.[1]) continue;
    const command = (m[7] ?? '').trim();
    out.push({
      pid: Number(m[1]),
      ppid: toInt(m[2]),
      uid: toInt(m[3]),
      user: null,
      command,
      args: (m[8] ?? '').trim() || command,
      cpuPercent: toNumber(m[4]),
      memPercent: toNumber(m[5]),
      rssKb: toInt(m[6]),
    });
  }
  return out;
}

/** Splits a header-led table: the last header column takes the rest of the line. */
function table(lines: readonly string[], firstColumn: string): { cols: string[]; rows: string[][] } {
  const hi = lines.findIndex((l) => words(l)[0] === firstColumn);
  if (hi < 0) return { cols: [], rows: [] };
  const cols = words(lines[hi] ?? '');
  const rows: string[][] = [];
  for (const line of lines.slice(hi + 1)) {
    const w = words(line);
    if (w.length < cols.length || !/^\d+$/.test(w[0] ?? '')) continue;
    rows.push([...w.slice(0, cols.length - 1), w.slice(cols.length - 1).join(' ')]);
  }
  return { cols, rows };
}

/**
 * busybox top rows: `PID PPID USER STAT VSZ %VSZ [CPU] %CPU COMMAND`. Wide values run into each other
 * (`1447g5792%` is VSZ and %VSZ), so %CPU is found as the last percentage before the command, not by column.
 */
export function parseBusyboxTop(lines: readonly string[]): Map<number, number> {
  const out = new Map<number, number>();
  const hi = lines.findIndex((l) => words(l)[0] === 'PID');
  if (hi < 0) return out;
  for (const line of lines.slice(hi + 1)) {
    const w = words(line);
    if (!/^\d+$/.test(w[0] ?? '')) continue;
    let j = -1;
    for (let i = 1; i < Math.min(w.length, 10); i++) if (/^\d+(\.\d+)?%$/.test(w[i] ?? '')) j = i;
    const cpu = j > 0 ? toNumber((w[j] ?? '').slice(0, -1)) : null;
    if (cpu !== null) out.set(Number(w[0]), cpu);
  }
  return out;
}

export function parseBusyboxPs(psLines: readonly string[], topLines: readonly string[]): RawProcess[] {
  const ps = table(psLines, 'PID');
  const cpu = parseBusyboxTop(topLines);
  const col = (name: string): number => ps.cols.indexOf(name);
  const out: RawProcess[] = [];
  for (const r of ps.rows) {
    const pid = Number(r[0]);
    const args = (r[ps.cols.length - 1] ?? '').trim();
    out.push({
      pid,
      ppid: col('PPID') >= 0 ? toInt(r[col('PPID')]) : null,
      uid: null,
      user: col('USER') >= 0 ? (r[col('USER')] ?? null) : null,
      command: baseCommand(args),
      args,
      cpuPercent: cpu.get(pid) ?? null,
      memPercent: null,
      rssKb: col('RSS') >= 0 ? parseBusyboxSize(r[col('RSS')]) : null,
    });
  }
  return out;
}
