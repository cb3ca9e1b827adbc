/**
 * From a raw sample and the counters kept from the one before it, the metric points of this sample. Rates
 * (CPU shares, disk and network bytes per second) need two samples of the same boot; the first sample after
 * a start or a reboot yields only the instantaneous figures. Pure.
 */
import type { CpuTimes, RawSample } from './types.js';

export interface Counters {
  readonly atMs: number;
  readonly bootTime: number | null;
  readonly cpu: CpuTimes | null;
  readonly disks: Readonly<Record<string, readonly [read: number, written: number, busyMs: number]>>;
  readonly net: Readonly<Record<string, readonly [rx: number, tx: number]>>;
  /** CPU seconds of the busiest processes, by pid, to give each a current share rather than ps's lifetime one. */
  readonly procs: Readonly<Record<string, number>>;
}

export interface Point {
  readonly metric: string;
  readonly value: number;
}

export interface TopProcess {
  readonly pid: number;
  readonly user: string;
  readonly command: string;
  readonly args: string;
  /** Percent of one CPU since the last sample (or over its lifetime when it is new). */
  readonly cpuPercent: number;
  readonly rssKb: number;
  readonly elapsedSeconds: number;
}

const SUFFIX_UNSAFE = /[^A-Za-z0-9_./@-]/g;
export const seriesSuffix = (s: string): string => s.replace(SUFFIX_UNSAFE, '_').slice(0, 100) || '_';
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;
const pct = (part: number, whole: number): number =>
  whole > 0 ? round(Math.min(100, Math.max(0, (100 * part) / whole))) : 0;

function cpuPoints(now: CpuTimes, before: CpuTimes): Point[] {
  const d = (k: keyof CpuTimes) => Math.max(0, now[k] - before[k]);
  const total = (Object.keys(now) as (keyof CpuTimes)[]).reduce((s, k) => s + d(k), 0);
  if (total <= 0) return [];
  return [
    { metric: 'cpu.busy_pct', value: pct(total - d('idle') - d('iowait'), total) },
    { metric: 'cpu.user_pct', value: pct(d('user') + d('nice'), total) },
    { metric: 'cpu.system_pct', value: pct(d('system') + d('irq') + d('softirq'), total) },
    { metric: 'cpu.iowait_pct', value: pct(d('iowait'), total) },
    { metric: 'cpu.steal_pct', value: pct(d('steal'), total) },
  ];
}

/** A counter that went backwards was reset (device re-attached, counter wrapped): no rate this time. */
const rate = (now: number, before: number | undefined, seconds: number): number | null =>
  before === undefined || now < before ? null : round((now - before) / seconds, 1);

export function derive(
  raw: RawSample,
  previous: Counters | null,
  nowMs: number,
): { points: Point[]; counters: Counters; top: TopProcess[] } {
  const points: Point[] = [];
  const add = (metric: string, value: number | null | undefined) => {
    if (value !== null && value !== undefined && Number.isFinite(value)) points.push({ metric, value });
  };
  const seconds = previous ? (nowMs - previous.atMs) / 1000 : 0;
  const sameBoot = previous !== null && previous.bootTime === raw.cpu.bootTime && seconds >= 1 && seconds <= 3600;
  const prev = sameBoot ? previous : null;

  if (prev?.cpu && raw.cpu.total) points.push(...cpuPoints(raw.cpu.total, prev.cpu));
  if (raw.load) {
    add('load.1', raw.load[0]);
    add('load.5', raw.load[1]);
    add('load.15', raw.load[2]);
  }
  if (raw.memory) {
    const used = raw.memory.totalKb - raw.memory.availableKb;
    add('mem.used_pct', pct(used, raw.memory.totalKb));
    add('mem.used_bytes', used * 1024);
    const swapUsed = raw.memory.swapTotalKb - raw.memory.swapFreeKb;
    add('swap.used_pct', pct(swapUsed, raw.memory.swapTotalKb));
    add('swap.used_bytes', swapUsed * 1024);
  }
  add('procs.total', raw.processCount);
  add('procs.running', raw.cpu.running);
  add('procs.blocked', raw.cpu.blocked);

  let worst: number | null = null;
  for (const d of raw.disks) {
    const used = pct(d.usedKb, d.usedKb + d.availableKb);
    worst = worst === null ? used : Math.max(worst, used);
    add(`disk.used_pct:${seriesSuffix(d.mount)}`, used);
    add(`disk.free_bytes:${seriesSuffix(d.mount)}`, d.availableKb * 1024);
  }
  add('disk.used_pct', worst);

  const disks: Record<string, [number, number, number]> = {};
  let read = 0;
  let written = 0;
  let ioKnown = prev !== null;
  for (const d of raw.diskIo) {
    disks[d.device] = [d.sectorsRead, d.sectorsWritten, d.busyMs];
    const before = prev?.disks[d.device];
    if (!prev) continue;
    const r = rate(d.sectorsRead * 512, before && before[0] * 512, seconds);
    const w = rate(d.sectorsWritten * 512, before && before[1] * 512, seconds);
    const busy = rate(d.busyMs, before?.[2], seconds);
    if (r === null || w === null) ioKnown = false;
    else {
      read += r;
      written += w;
    }
    add(`diskio.read_bps:${seriesSuffix(d.device)}`, r);
    add(`diskio.write_bps:${seriesSuffix(d.device)}`, w);
    add(`diskio.util_pct:${seriesSuffix(d.device)}`, busy === null ? null : Math.min(100, round(busy / 10)));
  }
  if (ioKnown && raw.diskIo.length > 0) {
    add('diskio.read_bps', read);
    add('diskio.write_bps', written);
  }

  const net: Record<string, [number, number]> = {};
  let rx = 0;
  let tx = 0;
  let netKnown = prev !== null;
  for (const n of raw.net) {
    net[n.iface] = [n.rxBytes, n.txBytes];
    if (!prev) continue;
    const r = rate(n.rxBytes, prev.net[n.iface]?.[0], seconds);
    const t = rate(n.txBytes, prev.net[n.iface]?.[1], seconds);
    if (r === null || t === null) netKnown = false;
    else {
      rx += r;
      tx += t;
    }
    add(`net.rx_bps:${seriesSuffix(n.iface)}`, r);
    add(`net.tx_bps:${seriesSuffix(n.iface)}`, t);
  }
  if (netKnown && raw.net.length > 0) {
    add('net.rx_bps', rx);
    add('net.tx_bps', tx);
  }

  const procs: Record<string, number> = {};
  const top: TopProcess[] = raw.processes.map((p) => {
    procs[String(p.pid)] = p.cpuSeconds;
    const before = prev?.procs[String(p.pid)];
    const current =
      before !== undefined && p.cpuSeconds >= before ? (100 * (p.cpuSeconds - before)) / seconds : p.cpuPercent;
    return {
      pid: p.pid,
      user: p.user,
      command: p.command,
      args: p.args,
      cpuPercent: round(current, 1),
      rssKb: p.rssKb,
      elapsedSeconds: p.elapsedSeconds,
    };
  });
  top.sort((a, b) => b.cpuPercent - a.cpuPercent);
  return { points, counters: { atMs: nowMs, bootTime: raw.cpu.bootTime, cpu: raw.cpu.total, disks, net, procs }, top };
}
