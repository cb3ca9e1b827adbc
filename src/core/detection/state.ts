/**
 * A server's security state, from a monitoring sample, in the one shape the rules
 * compare; and the tracking of busy processes across samples. Pure.
 */
import { parseSudoers, sudoIncludesFile } from '../discovery/collect/parsers/sudoers.js';
import type { TopProcess } from '../monitoring/sample/derive.js';
import type { AccessState, BinaryHash, RawSample } from '../monitoring/sample/types.js';
import type { ProcessTrack, SecurityState, Thresholds } from './detection.types.js';

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** A sudoers rule that lets its holder run anything as root. */
const fullRoot = (runAs: string | null, commands: string): boolean =>
  (runAs === null || runAs === '' || /(^|[,:\s])(ALL|root)([,:\s)]|$)/.test(runAs)) &&
  /(^|[,\s])ALL\s*$/.test(commands.trim());

export function adminsOf(access: AccessState): { uid0: string[]; admins: string[] } {
  const uid0 = sorted(access.accounts.filter((a) => a.uid === 0).map((a) => a.name));
  const admins = new Set(uid0);
  const groupMembers = (name: string): string[] => {
    const g = access.adminGroups.find((x) => x.group === name);
    const gid = g?.gid;
    return [
      ...(g?.members ?? []),
      ...access.accounts.filter((a) => gid !== undefined && a.gid === gid).map((a) => a.name),
    ];
  };
  const aliases = new Map<string, string[]>();
  const grants = access.sudoers
    .filter((f) => !f.path.startsWith('/etc/sudoers.d/') || sudoIncludesFile(f.path))
    .flatMap((f) => {
      const parsed = parseSudoers(f.content, f.path);
      for (const [k, v] of parsed.userAliases) aliases.set(k, v);
      return parsed.grants;
    });
  const expand = (name: string, depth = 0): string[] => {
    if (name === 'ALL') return access.accounts.map((a) => a.name);
    const alias = aliases.get(name);
    if (alias && depth < 5)
      return alias.flatMap((n) => (n.startsWith('%') ? groupMembers(n.slice(1)) : expand(n, depth + 1)));
    return [name];
  };
  for (const g of grants) {
    if (!fullRoot(g.runAs, g.commands)) continue;
    for (const n of g.principalType === 'group' ? groupMembers(g.principal) : expand(g.principal)) admins.add(n);
  }
  // Without sudoers to read (an unprivileged sample), membership of the usual admin groups is the evidence.
  if (access.sudoers.length === 0)
    for (const g of access.adminGroups) for (const m of groupMembers(g.group)) admins.add(m);
  return { uid0, admins: sorted(admins) };
}

function binariesOf(
  integrity: readonly BinaryHash[] | null,
  previous: SecurityState['binaries'],
): SecurityState['binaries'] {
  if (!integrity) return previous;
  return Object.fromEntries(integrity.map((b) => [b.realPath, { sha256: b.sha256, packaged: b.packaged }]));
}

/** One entry per protocol and port (IPv4 and IPv6 sockets of one service are one port); high UDP ports are ephemeral. */
function portsOf(listening: RawSample['listening']): SecurityState['ports'] {
  const byId = new Map<string, SecurityState['ports'][number]>();
  for (const p of listening) {
    const id = `${p.proto}/${p.port}`;
    if ((p.proto === 'tcp' || p.port < 32768) && !byId.has(id))
      byId.set(id, { id, address: p.address, process: p.process });
  }
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The state a sample shows, or null when the sample could not read it (an unprivileged login sees no
 * sudoers, so comparing would invent changes). Binary hashes carry over between integrity samples.
 */
export function stateFromSample(raw: RawSample, previous: SecurityState | null): SecurityState | null {
  if (!raw.complete || !raw.access || raw.uid !== 0) return null;
  const { uid0, admins } = adminsOf(raw.access);
  return {
    uid0,
    admins,
    authorizedKeys: raw.access.authorizedKeys
      .map((k) => ({ id: `${k.user} ${k.fingerprint}`, user: k.user, type: k.type, comment: k.comment }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    ports: portsOf(raw.listening),
    binaries: binariesOf(raw.integrity, previous?.binaries ?? null),
  };
}

/**
 * Busy processes with the time each has kept pinning a CPU since. One seen for the first time that has run
 * for long at a high lifetime average has been pinning it all along, as far as anyone can tell.
 */
export function trackProcesses(
  previous: readonly ProcessTrack[],
  top: readonly TopProcess[],
  nowMs: number,
  thresholds: Pick<Thresholds, 'pinnedCpuPercent'>,
): ProcessTrack[] {
  const before = new Map(previous.map((p) => [p.pid, p]));
  return top.slice(0, 10).map((p) => {
    const was = before.get(p.pid);
    let hotSinceMs: number | null = null;
    if (p.cpuPercent >= thresholds.pinnedCpuPercent)
      hotSinceMs = was ? (was.hotSinceMs ?? nowMs) : nowMs - p.elapsedSeconds * 1000;
    return { pid: p.pid, command: p.command, args: p.args, user: p.user, cpuPercent: p.cpuPercent, hotSinceMs };
  });
}
