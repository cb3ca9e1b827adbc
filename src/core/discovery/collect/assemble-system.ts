/** Builds the machine-level facts (identity, OS, packages, services, ports, performance) from framed sections. */
import type { Framed } from './framing.js';
import { SectionView } from './framing.js';
import type { Identity, ListeningPort, OsFacts, Package, Performance, ProcessSample, Service } from './facts.js';
import { parseIfconfig, parseIpAddr } from './parsers/ip-addr.js';
import { identifyOs, parseUnameSrvm, type Uname } from './parsers/os-release.js';
import { parseApkDb, parseApkInfo, parseDpkg, parseRpm } from './parsers/packages.js';
import { parseNetstat, parseProcNet, parseSs } from './parsers/ports.js';
import { parseCpu, parseDf, parseLoadavg, parseMeminfo, parseUptime, parseVirt } from './parsers/proc.js';
import { parseBusyboxPs, parseProcpsPs, parseProcpsWide, type RawProcess } from './parsers/ps.js';
import {
  parseRcStatus,
  parseRcUpdate,
  parseSystemdUnitFiles,
  parseSystemdUnits,
  parseSysvLsb,
  parseSysvStatus,
} from './parsers/services.js';
import { compareText } from './parsers/util.js';
import { redactArgs } from './scrub.js';

const view = (f: Framed, name: string): SectionView => new SectionView(f.sections.get(name));
const firstLine = (lines: readonly string[] | null): string | null => {
  const l = lines?.find((x) => x.trim().length > 0)?.trim();
  return l && l.length > 0 ? l : null;
};

export function buildIdentity(f: Framed): Identity {
  const s = view(f, 'identity');
  const hostname = firstLine(s.text('hostname'));
  const fqdn = firstLine(s.text('fqdn'));
  const machineId = firstLine(s.text('machine-id'));
  const ip = s.text('ip-addr');
  const addresses = ip ? parseIpAddr(ip) : parseIfconfig(s.text('ifconfig') ?? []);
  addresses.sort(
    (a, b) =>
      compareText(a.interface, b.interface) || compareText(a.family, b.family) || compareText(a.address, b.address),
  );
  return {
    hostname,
    fqdn: fqdn && /^[A-Za-z0-9._-]+$/.test(fqdn) ? fqdn : null,
    machineId: machineId && /^[0-9a-fA-F-]{16,64}$/.test(machineId) ? machineId.toLowerCase() : null,
    addresses,
  };
}

/**
 * Release files by path: `osfile <path>` text blocks, or (older script output) encoded `os-release` and
 * `release` file blocks.
 */
function releaseFiles(s: SectionView): Map<string, string> {
  const files = new Map<string, string>();
  for (const b of s.textsWithPrefix('osfile')) {
    if (b.rest && !files.has(b.rest)) files.set(b.rest, b.lines.length > 0 ? `${b.lines.join('\n')}\n` : '');
  }
  for (const b of [...s.files('os-release'), ...s.files('release')]) {
    if (b.content !== null && !files.has(b.path)) files.set(b.path, b.content);
  }
  return files;
}

function unameOf(s: SectionView): Uname {
  const srvm = s.text('uname-srvm');
  if (srvm) return parseUnameSrvm(srvm);
  const lines = (s.text('uname') ?? []).map((l) => l.trim());
  return { sysname: lines[0] || null, release: lines[1] || null, version: null, machine: lines[2] || null };
}

export function buildOs(f: Framed): OsFacts {
  const s = view(f, 'os');
  const uname = unameOf(s);
  return {
    ...identifyOs(releaseFiles(s), uname),
    kernel: { name: uname.sysname, release: uname.release, machine: uname.machine },
    uptimeSeconds: parseUptime(s.text('uptime') ?? []),
    virtualisation: parseVirt(s.text('virt') ?? []),
  };
}

export function buildPackages(f: Framed): Package[] {
  const s = view(f, 'packages');
  const all = [
    ...parseDpkg(s.text('dpkg') ?? []),
    ...parseRpm(s.text('rpm') ?? []),
    ...parseApkDb(s.text('apk-db') ?? []),
    ...parseApkInfo(s.text('apk-info') ?? []),
  ];
  const byKey = new Map<string, Package>();
  for (const p of all) byKey.set(`${p.manager}\0${p.name}\0${p.arch ?? ''}`, p);
  return [...byKey.values()].sort(
    (a, b) =>
      compareText(a.name, b.name) || compareText(a.arch ?? '', b.arch ?? '') || compareText(a.manager, b.manager),
  );
}

export function buildServices(f: Framed): Service[] {
  const s = view(f, 'services');
  let list: Service[];
  const units = s.text('systemd-units');
  if (units) list = parseSystemdUnits(units, parseSystemdUnitFiles(s.text('systemd-unit-files') ?? []));
  else if (s.text('openrc-status'))
    list = parseRcStatus(s.text('openrc-status') ?? [], parseRcUpdate(s.text('openrc-update') ?? []));
  else if (s.text('sysv-lsb')) list = parseSysvLsb(s.text('sysv-lsb') ?? []);
  else list = parseSysvStatus(s.text('sysv-status') ?? []);
  const byName = new Map<string, Service>();
  for (const svc of list) byName.set(svc.name, svc);
  return [...byName.values()].sort((a, b) => compareText(a.name, b.name));
}

export function buildPorts(f: Framed): ListeningPort[] {
  const s = view(f, 'ports');
  let list: ListeningPort[];
  if (s.text('ss')) list = parseSs(s.text('ss') ?? []);
  else if (s.text('netstat')) list = parseNetstat(s.text('netstat') ?? []);
  else list = s.textsWithPrefix('proc-net').flatMap((b) => parseProcNet(b.rest, b.lines));
  const byKey = new Map<string, ListeningPort>();
  for (const p of list) {
    const key = `${p.proto}\0${p.address}\0${p.port}`;
    const prev = byKey.get(key);
    if (!prev || (!prev.process && p.process)) byKey.set(key, p);
  }
  return [...byKey.values()].sort(
    (a, b) => compareText(a.proto, b.proto) || a.port - b.port || compareText(a.address, b.address),
  );
}

export function rawProcesses(f: Framed): RawProcess[] {
  const s = view(f, 'processes');
  const wide = s.text('ps-procps-wide');
  if (wide) return parseProcpsWide(wide);
  const procps = s.text('ps-procps');
  if (procps) return parseProcpsPs(procps, s.text('ps-args') ?? []);
  return parseBusyboxPs(s.text('ps-busybox') ?? [], s.text('top-busybox') ?? []);
}

const TOP_N = 10;

function sample(p: RawProcess, userOf: (uid: number) => string | null): ProcessSample {
  return {
    pid: p.pid,
    user: p.user ?? (p.uid === null ? null : (userOf(p.uid) ?? String(p.uid))),
    command: p.command,
    args: redactArgs(p.args).slice(0, 512),
    cpuPercent: p.cpuPercent,
    memPercent: p.memPercent,
    rssKb: p.rssKb,
  };
}

export function buildPerformance(
  f: Framed,
  procs: readonly RawProcess[],
  userOf: (uid: number) => string | null,
): Performance {
  const s = view(f, 'performance');
  const mem = parseMeminfo(s.text('meminfo') ?? []);
  const byCpu = [...procs].sort((a, b) => (b.cpuPercent ?? -1) - (a.cpuPercent ?? -1) || a.pid - b.pid);
  const byMem = [...procs].sort((a, b) => (b.rssKb ?? -1) - (a.rssKb ?? -1) || a.pid - b.pid);
  const disks = parseDf(s.text('df') ?? []).sort((a, b) => compareText(a.mount, b.mount));
  return {
    load: parseLoadavg(s.text('loadavg') ?? []),
    cpu: parseCpu(s.text('cpu') ?? []),
    memory: {
      totalKb: mem.get('MemTotal') ?? null,
      availableKb: mem.get('MemAvailable') ?? mem.get('MemFree') ?? null,
      swapTotalKb: mem.get('SwapTotal') ?? null,
      swapFreeKb: mem.get('SwapFree') ?? null,
    },
    disks,
    topCpu: byCpu
      .filter((p) => p.cpuPercent !== null)
      .slice(0, TOP_N)
      .map((p) => sample(p, userOf)),
    topMemory: byMem
      .filter((p) => p.rssKb !== null)
      .slice(0, TOP_N)
      .map((p) => sample(p, userOf)),
    processCount: procs.length,
  };
}
