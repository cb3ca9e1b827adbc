/**
 * Kernel and tool figures: /proc/stat, /proc/meminfo, /proc/loadavg, /proc/uptime, /proc/diskstats,
 * /proc/net/dev, `df -P -k` and the script's `ps` lines. Each parser is total: junk lines are skipped.
 */
import { parseLoadavg, parseMeminfo, parseUptime } from '../../discovery/collect/parsers/proc.js';
import type { CpuTimes, DiskIo, DiskUsage, NetIo, ProcessRow, RawSample } from './types.js';

const num = (s: string | undefined): number | null => (s !== undefined && /^\d+(\.\d+)?$/.test(s) ? Number(s) : null);

export function parseStat(lines: readonly string[]): RawSample['cpu'] {
  let total: CpuTimes | null = null;
  let count = 0;
  let running: number | null = null;
  let blocked: number | null = null;
  let bootTime: number | null = null;
  for (const line of lines) {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'cpu') {
      const v = w.slice(1, 9).map((x) => num(x) ?? 0);
      if (v.length >= 4)
        total = {
          user: v[0]!,
          nice: v[1]!,
          system: v[2]!,
          idle: v[3]!,
          iowait: v[4] ?? 0,
          irq: v[5] ?? 0,
          softirq: v[6] ?? 0,
          steal: v[7] ?? 0,
        };
    } else if (/^cpu\d+$/.test(w[0] ?? '')) count++;
    else if (w[0] === 'procs_running') running = num(w[1]);
    else if (w[0] === 'procs_blocked') blocked = num(w[1]);
    else if (w[0] === 'btime') bootTime = num(w[1]);
  }
  return { total, count, running, blocked, bootTime };
}

export function parseMemory(lines: readonly string[]): RawSample['memory'] {
  const m = parseMeminfo(lines);
  const total = m.get('MemTotal');
  if (total === undefined || total === 0) return null;
  // Kernels before 3.14 have no MemAvailable; free + buffers + cache is the usual estimate there.
  const available =
    m.get('MemAvailable') ??
    (m.get('MemFree') ?? 0) + (m.get('Buffers') ?? 0) + (m.get('Cached') ?? 0) + (m.get('SReclaimable') ?? 0);
  return {
    totalKb: total,
    availableKb: Math.min(available, total),
    swapTotalKb: m.get('SwapTotal') ?? 0,
    swapFreeKb: m.get('SwapFree') ?? 0,
  };
}

export const parseLoad = (lines: readonly string[]): RawSample['load'] => parseLoadavg(lines);
export const parseUptimeSeconds = (lines: readonly string[]): number | null => parseUptime(lines);

/** Whole disks only: partitions, loop, RAM and device-mapper devices would count the same bytes twice. */
const WHOLE_DISK = /^(sd[a-z]+|vd[a-z]+|xvd[a-z]+|hd[a-z]+|nvme\d+n\d+|mmcblk\d+)$/;

export function parseDiskstats(lines: readonly string[]): DiskIo[] {
  const out: DiskIo[] = [];
  for (const line of lines) {
    const w = line.trim().split(/\s+/);
    const device = w[2] ?? '';
    if (!WHOLE_DISK.test(device)) continue;
    const sectorsRead = num(w[5]);
    const sectorsWritten = num(w[9]);
    const busyMs = num(w[12]);
    if (sectorsRead === null || sectorsWritten === null || busyMs === null) continue;
    out.push({ device, sectorsRead, sectorsWritten, busyMs });
  }
  return out;
}

export function parseNetDev(lines: readonly string[]): NetIo[] {
  const out: NetIo[] = [];
  for (const line of lines) {
    const m = /^\s*([^\s:]+):\s*(.*)$/.exec(line);
    if (!m?.[1] || m[1] === 'lo') continue;
    const w = (m[2] ?? '').trim().split(/\s+/);
    const rx = num(w[0]);
    const tx = num(w[8]);
    if (rx !== null && tx !== null) out.push({ iface: m[1], rxBytes: rx, txBytes: tx });
  }
  return out;
}

/** Memory and kernel file systems say nothing about disk space; container roots (overlay) do, so they stay. */
const NOT_A_DISK = /^(tmpfs|devtmpfs|udev|shm|none|proc|sysfs|cgroup2?|devpts|mqueue|efivarfs|squashfs|nsfs|ramfs)$/;

export function parseDfUsage(lines: readonly string[]): DiskUsage[] {
  const out: DiskUsage[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/.exec(line);
    if (!m?.[1] || !m[6] || NOT_A_DISK.test(m[1]) || m[1].startsWith('/dev/loop')) continue;
    const mount = m[6];
    if (
      mount.startsWith('/snap/') ||
      mount.startsWith('/var/lib/docker/') ||
      mount.startsWith('/run/') ||
      seen.has(mount)
    )
      continue;
    const sizeKb = Number(m[2]);
    if (sizeKb === 0) continue;
    seen.add(mount);
    out.push({ filesystem: m[1], mount, sizeKb, usedKb: Number(m[3]), availableKb: Number(m[4]) });
  }
  return out;
}

/** ps `time`: `[[DD-]HH:]MM:SS` → seconds. */
export function parseCpuTime(s: string): number | null {
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(s);
  if (!m) return null;
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/**
 * The script's process lines: `P pid ppid user etimes time pcpu rss args…`, each followed by `C comm`. The
 * sampling script's own processes (its shell, that shell's children and theirs) are left out.
 */
const OWN_PS = 'ps -eww -o pid=,ppid=,user=,etimes=,time=,pcpu=,rss=,args=';

export function parseProcesses(lines: readonly string[], shellPid: number | null): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^P (\d+) (\d+) (\S+)\s+(\d+) (\S+)\s+(\d+(?:\.\d+)?)\s+(\d+) ?(.*)$/.exec(lines[i] ?? '');
    if (!m) continue;
    const next = lines[i + 1] ?? '';
    const command = next.startsWith('C ') ? next.slice(2).trim() : '';
    const cpuSeconds = parseCpuTime(m[5]!);
    if (cpuSeconds === null) continue;
    rows.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      user: m[3]!,
      elapsedSeconds: Number(m[4]),
      cpuSeconds,
      cpuPercent: Number(m[6]),
      rssKb: Number(m[7]),
      command,
      args: m[8] ?? '',
    });
  }
  // The script's own `ps | head` runs in a subshell that may not make the list, so it is known by its words.
  const own = new Set(rows.filter((r) => r.args.startsWith(OWN_PS) || r.pid === shellPid).map((r) => r.pid));
  for (let grew = true; grew;) {
    grew = false;
    for (const r of rows) {
      if (own.has(r.pid) || !own.has(r.ppid)) continue;
      own.add(r.pid);
      grew = true;
    }
  }
  return rows.filter((r) => !own.has(r.pid));
}
