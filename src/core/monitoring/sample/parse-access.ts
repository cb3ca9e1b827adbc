/**
 * Security-relevant state from a sample: accounts and admin groups, sudoers rules, authorized keys,
 * listening sockets, connections to mining pools and the watched binaries' hashes. Fingerprints are computed
 * here from the key blobs (as discovery does), so the server needs no ssh-keygen.
 */
import type { SectionView } from '../../discovery/collect/framing.js';
import { parseNetstat, parseSs, splitHostPort } from '../../discovery/collect/parsers/ports.js';
import { words } from '../../discovery/collect/parsers/util.js';
import { parseAuthorizedKeys } from '../../discovery/collect/parsers/ssh-keys.js';
import type { ListeningPort } from '../../discovery/collect/index.js';
import type { AccessState, AccountRow, BinaryHash, PoolConnection } from './types.js';

export function parseAccounts(lines: readonly string[]): AccountRow[] {
  const out: AccountRow[] = [];
  for (const line of lines) {
    const m = /^([^:\s]+):(\d+):(\d+):(.*)$/.exec(line);
    if (m) out.push({ name: m[1]!, uid: Number(m[2]), gid: Number(m[3]), home: m[4] ?? '' });
  }
  return out;
}

export function parseAdminGroups(lines: readonly string[]): AccessState['adminGroups'] {
  const out: { group: string; gid: number; members: string[] }[] = [];
  for (const line of lines) {
    const m = /^(sudo|wheel|admin):[^:]*:(\d+):(.*)$/.exec(line);
    if (m)
      out.push({
        group: m[1]!,
        gid: Number(m[2]),
        members: (m[3] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      });
  }
  return out;
}

export function parseAccess(s: SectionView): AccessState | null {
  if (!s.present) return null;
  const sudoers = s.textsWithPrefix('sudoers').map((t) => ({ path: t.rest, content: t.lines.join('\n') }));
  const authorizedKeys = s.textsWithPrefix('ak').flatMap((t) => {
    const i = t.rest.indexOf(' ');
    const user = i < 0 ? t.rest : t.rest.slice(0, i);
    const file = i < 0 ? '' : t.rest.slice(i + 1);
    return parseAuthorizedKeys(t.lines.join('\n')).map((k) => ({
      user,
      file,
      type: k.type,
      fingerprint: k.fingerprint,
      comment: k.comment,
    }));
  });
  return {
    accounts: parseAccounts(s.text('passwd') ?? []),
    adminGroups: parseAdminGroups(s.text('groups') ?? []),
    sudoers,
    authorizedKeys,
  };
}

/** What one pass over the socket listing gives: listening sockets, and connections to the watched ports. */
export interface Sockets {
  readonly listening: ListeningPort[];
  readonly pools: PoolConnection[];
  readonly outbound: PoolConnection[];
}

/** A TCP line of the listing in state ESTAB or SYN-SENT (a connection; anything else may be a listening socket). */
const CONNECTING = /^\s*tcp6?\s+(?:ESTAB|SYN-SENT)\s/;

/**
 * One pass over the script's `ss -tunap` listing (Netid State Recv-Q Send-Q Local Peer [users:((…))]): the
 * listening sockets, and the TCP connections established or being opened whose remote port is a mining pool's
 * (`pools`) or one attackers scan (`outbound`). Each line is split once. Without ss, `netstat` lines give the
 * listening sockets only.
 */
export function parseSockets(
  lines: readonly string[],
  ports: { readonly pools: readonly number[]; readonly outbound: readonly number[] },
): Sockets {
  const listenLines: string[] = [];
  const pools: PoolConnection[] = [];
  const outbound: PoolConnection[] = [];
  for (const line of lines) {
    if (!CONNECTING.test(line)) {
      listenLines.push(line);
      continue;
    }
    const w = words(line);
    if (w.length < 6) continue;
    const peer = splitHostPort(w[5]!);
    if (!peer) continue;
    const toPool = ports.pools.includes(peer.port);
    const toScanned = ports.outbound.includes(peer.port);
    if (!toPool && !toScanned) continue;
    const m = /\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(w.slice(6).join(' '));
    const c = { local: w[4]!, peer: w[5]!, process: m?.[1] ?? null, pid: m?.[2] ? Number(m[2]) : null };
    if (toPool) pools.push(c);
    if (toScanned) outbound.push(c);
  }
  const fromSs = parseSs(listenLines);
  return { listening: fromSs.length > 0 ? fromSs : parseNetstat(listenLines), pools, outbound };
}

/** `HASH  PATH` lines (sha256sum, md5sum and dpkg's md5sums files). */
function hashLines(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^([0-9a-f]{32,64})\s+\*?(.+)$/.exec(line.trim());
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** usrmerge makes /bin the same as /usr/bin, and packages still list either; compare without the /usr. */
const canonical = (path: string): string => `/${path.replace(/^\/+/, '').replace(/^usr\//, '')}`;

/**
 * One entry per real file: its hash, and whether the package manager's own checksum still matches (dpkg's
 * md5sums) or `rpm -V` reported it unchanged. A binary no package claims gets `packaged: null`.
 */
export function parseIntegrity(s: SectionView): BinaryHash[] | null {
  if (!s.present) return null;
  const sha = hashLines(s.text('sha256') ?? []);
  const md5 = hashLines(s.text('md5') ?? []);
  const packaged = new Map([...hashLines(s.text('dpkg') ?? [])].map(([p, h]) => [canonical(p), h]));
  const rpmLines = s.text('rpmv');
  const rpmModified = new Set(
    (rpmLines ?? [])
      .map((l) => /^\S{9}\s+(?:[cdglr]\s+)?(\/\S+)$/.exec(l.trim())?.[1])
      .filter((p): p is string => p !== undefined),
  );
  const real = new Map<string, string>();
  for (const line of s.text('real') ?? []) {
    const [path, target] = line.trim().split(/\s+/);
    if (path) real.set(path, target || path);
  }
  const byReal = new Map<string, BinaryHash>();
  for (const [path, hash] of sha) {
    const realPath = real.get(path) ?? path;
    if (byReal.has(realPath)) continue;
    const pkgMd5 = packaged.get(canonical(realPath)) ?? packaged.get(canonical(path));
    let isPackaged: boolean | null = null;
    if (pkgMd5 !== undefined) isPackaged = md5.get(path) === pkgMd5;
    else if (rpmLines !== null) isPackaged = !rpmModified.has(path) && !rpmModified.has(realPath);
    byReal.set(realPath, { path, realPath, sha256: hash, packaged: isPackaged });
  }
  return [...byReal.values()].sort((a, b) => (a.realPath < b.realPath ? -1 : 1));
}
