/** Kernel and tool figures: /proc/meminfo, /proc/loadavg, /proc/uptime, `df -P -k`, the cpu block and the virt hints. */
import type { Disk } from '../facts.js';
import { toInt, toNumber, words } from './util.js';

/** `MemTotal:       16316412 kB` → key → kB. */
export function parseMeminfo(lines: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (m?.[1] && m[2]) out.set(m[1], Number(m[2]));
  }
  return out;
}

export function parseLoadavg(lines: readonly string[]): [number, number, number] | null {
  const w = words(lines[0] ?? '');
  const [a, b, c] = [toNumber(w[0]), toNumber(w[1]), toNumber(w[2])];
  return a !== null && b !== null && c !== null ? [a, b, c] : null;
}

export function parseUptime(lines: readonly string[]): number | null {
  const n = toNumber(words(lines[0] ?? '')[0]);
  return n === null ? null : Math.floor(n);
}

/** The script's `count=N` line and the first `model name : X` style line. */
export function parseCpu(lines: readonly string[]): { count: number | null; model: string | null } {
  let count: number | null = null;
  let model: string | null = null;
  for (const line of lines) {
    const c = /^count=(\d+)$/.exec(line.trim());
    if (c) count = toInt(c[1]);
    const m = /^(?:model name|cpu model|hardware)\s*:\s*(.+)$/i.exec(line);
    if (m?.[1] && model === null) model = m[1].trim();
  }
  return { count, model };
}

const PSEUDO_FS = /^(tmpfs|devtmpfs|udev|overlay|shm|none|proc|sysfs|cgroup2?|devpts|mqueue|efivarfs|squashfs|nsfs)$/;

/**
 * POSIX `df -P -k`: `Filesystem 1024-blocks Used Available Capacity Mounted on`. Pseudo and memory file
 * systems are dropped; a mount point with spaces keeps them.
 */
export function parseDf(lines: readonly string[]): Disk[] {
  const out: Disk[] = [];
  for (const line of lines) {
    const m = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/.*)$/.exec(line);
    if (!m?.[1] || !m[6]) continue;
    if (PSEUDO_FS.test(m[1]) || m[1].startsWith('/dev/loop') || m[6].startsWith('/snap/')) continue;
    const sizeKb = Number(m[2]);
    if (sizeKb === 0) continue;
    out.push({
      filesystem: m[1],
      mount: m[6],
      sizeKb,
      usedKb: Number(m[3]),
      availableKb: Number(m[4]),
      usePercent: Number(m[5]),
    });
  }
  return out;
}

/** The virtualisation hint from `detect-virt=`, container markers, DMI and the cpu flag, strongest first. */
export function parseVirt(lines: readonly string[]): string | null {
  const kv = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf('=');
    if (i > 0) kv.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  const detect = kv.get('detect-virt');
  if (detect && detect !== 'none') return detect;
  const container = kv.get('container') ?? kv.get('marker');
  if (container) return container;
  const vendor = `${kv.get('dmi-sys_vendor') ?? ''} ${kv.get('dmi-product_name') ?? ''}`.toLowerCase();
  const known: [RegExp, string][] = [
    [/amazon|ec2/, 'amazon'],
    [/google/, 'google'],
    [/microsoft|hyper-v/, 'microsoft'],
    [/vmware/, 'vmware'],
    [/virtualbox|innotek/, 'oracle'],
    [/qemu|kvm|bochs/, 'kvm'],
    [/xen/, 'xen'],
    [/digitalocean/, 'kvm'],
  ];
  for (const [re, name] of known) if (re.test(vendor)) return name;
  if (detect === 'none') return 'none';
  return kv.get('cpu-flag') === 'hypervisor' ? 'vm' : null;
}
