/**
 * Operating-system identification: systemd's os-release(5) when the host has a usable one, the
 * distributions' own release files when it does not (or when they know the minor version it leaves out),
 * `/etc/release` on Solaris and illumos, and `uname` with FreeBSD's userland version on the BSDs.
 */
import type { OsFacts, OsFamily } from '../facts.js';
import { splitLines, words } from './util.js';

function unescapeValue(raw: string): string {
  const v = raw.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2 && v.endsWith(q)) {
    const inner = v.slice(1, -1);
    return q === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return v;
}

/** KEY=value pairs; comments, blank and malformed lines are skipped. */
export function parseOsRelease(content: string | null): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of splitLines(content)) {
    const m = /^\s*([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    out[m[1]] = unescapeValue(m[2]);
  }
  return out;
}

const FAMILIES: Readonly<Record<OsFamily, readonly string[]>> = {
  debian: [
    'debian',
    'ubuntu',
    'devuan',
    'raspbian',
    'linuxmint',
    'kali',
    'deepin',
    'neon',
    'pop',
    'parrot',
    'pardus',
    'elementary',
    'zorin',
    'osmc',
    'cumulus-linux',
  ],
  rhel: [
    'rhel',
    'fedora',
    'centos',
    'rocky',
    'almalinux',
    'amzn',
    'ol',
    'scientific',
    'cloudlinux',
    'virtuozzo',
    'openeuler',
    'euleros',
    'xenserver',
    'eurolinux',
    'tencentos',
    'miraclelinux',
    'alinux',
    'anolis',
    'circle',
  ],
  alpine: ['alpine'],
  suse: ['suse', 'sles', 'sled', 'sles_sap', 'opensuse', 'sl-micro'],
  arch: ['arch', 'archlinux', 'manjaro', 'endeavouros', 'artix'],
  gentoo: ['gentoo', 'funtoo'],
  solaris: ['solaris', 'smartos', 'omnios', 'openindiana', 'nexenta', 'illumos'],
  freebsd: ['freebsd'],
  netbsd: ['netbsd'],
  openbsd: ['openbsd'],
  dragonfly: ['dragonfly'],
  other: [],
};

function familyOf(name: string): OsFamily | null {
  const n = name.toLowerCase();
  if (n.startsWith('opensuse')) return 'suse';
  for (const [family, names] of Object.entries(FAMILIES) as [OsFamily, readonly string[]][]) {
    if (names.includes(n)) return family;
  }
  return null;
}

/** What the rest of the host says when the name alone does not settle the family. */
export interface FamilyHints {
  /** An RPM-style release file (`/etc/redhat-release`, `/etc/system-release`) or an EL platform id. */
  readonly rpm?: boolean;
  /** `/etc/debian_version`. */
  readonly deb?: boolean;
}

/**
 * The distribution family from the ID, then ID_LIKE, then the hints. Kylin and UOS/UnionTech exist both as
 * RHEL-like server and Debian-like desktop systems, so for them the ID decides nothing.
 */
export function osFamily(id: string | null, idLike: readonly string[], hints: FamilyHints = {}): OsFamily {
  const own = id ? familyOf(id) : null;
  if (own) return own;
  for (const like of idLike) {
    const f = familyOf(like);
    if (f) return f;
  }
  if (hints.rpm) return 'rhel';
  if (hints.deb) return 'debian';
  const lower = (id ?? '').toLowerCase();
  if (lower === 'kylin') return 'rhel';
  if (lower === 'uos' || lower === 'uniontech') return 'debian';
  return 'other';
}

export interface Uname {
  readonly sysname: string | null;
  readonly release: string | null;
  /** `uname -v`: the kernel build, which names the release on DragonFly, Nexenta and SmartOS. */
  readonly version: string | null;
  readonly machine: string | null;
}

/** `uname -srvm` (one line: system, release, the version with its spaces, machine). */
export function parseUnameSrvm(lines: readonly string[]): Uname {
  const w = words(lines.join(' '));
  if (w.length < 3) return { sysname: w[0] ?? null, release: w[1] ?? null, version: null, machine: null };
  return {
    sysname: w[0] ?? null,
    release: w[1] ?? null,
    version: w.slice(2, -1).join(' ') || null,
    machine: w[w.length - 1] ?? null,
  };
}

/** What the release files and `uname` say: the OS facts without the kernel, uptime and virtualisation. */
export type OsIdentity = Omit<OsFacts, 'kernel' | 'uptimeSeconds' | 'virtualisation'>;

/** Release files by path (`/etc/redhat-release`), content as read. */
export type ReleaseFiles = ReadonlyMap<string, string>;

const firstLine = (content: string | undefined | null): string | null => {
  for (const l of splitLines(content ?? null)) if (l.trim()) return l.trim().slice(0, 300);
  return null;
};

/** `NAME [release] VERSION [(CODENAME)] [for ARCH]`, the shape of RPM-style and most other release files. */
const RELEASE_LINE = /^(.+?)\s+(?:release\s+)?([A-Za-z]*\d[\w.+-]*)(?:\s+\(([^)]*)\))?(?:\s+for\s+\S+)?$/i;

interface ReleaseLine {
  readonly name: string;
  readonly version: string | null;
  readonly codename: string | null;
  readonly line: string;
}

function parseReleaseLine(content: string | undefined): ReleaseLine | null {
  const line = firstLine(content);
  if (!line) return null;
  const m = RELEASE_LINE.exec(line);
  if (!m?.[1] || !m[2]) return { name: line, version: null, codename: null, line };
  return { name: m[1].replace(/\s+release$/i, ''), version: m[2], codename: m[3] ?? null, line };
}

const NAME_IDS: readonly (readonly [RegExp, string])[] = [
  [/^red hat enterprise linux/i, 'rhel'],
  [/^centos/i, 'centos'],
  [/^rocky/i, 'rocky'],
  [/^almalinux/i, 'almalinux'],
  [/^oracle linux/i, 'ol'],
  [/^scientific linux/i, 'scientific'],
  [/^cloudlinux/i, 'cloudlinux'],
  [/^virtuozzo/i, 'virtuozzo'],
  [/^amazon linux/i, 'amzn'],
  [/^fedora/i, 'fedora'],
  [/^openeuler/i, 'openEuler'],
  [/^euleros/i, 'euleros'],
  [/^kylin/i, 'kylin'],
  [/^(uos|uniontech)\b/i, 'uos'],
  [/^gentoo/i, 'gentoo'],
  [/^suse linux enterprise server/i, 'sles'],
  [/^suse linux enterprise desktop/i, 'sled'],
  [/^opensuse/i, 'opensuse'],
  [/^slackware/i, 'slackware'],
  [/^mageia/i, 'mageia'],
  [/^mandriva/i, 'mandriva'],
  [/^alt\b/i, 'altlinux'],
  [/^xenserver/i, 'xenserver'],
];

function idFromName(name: string, path: string): string {
  for (const [re, id] of NAME_IDS) if (re.test(name)) return id;
  return (
    path
      .replace(/^.*\//, '')
      .replace(/[-_](release|version)$/, '')
      .toLowerCase() || 'linux'
  );
}

/** The release files whose first line names the distribution, most specific first. */
const RPM_STYLE = [
  '/etc/centos-release',
  '/etc/rocky-release',
  '/etc/almalinux-release',
  '/etc/oracle-release',
  '/etc/virtuozzo-release',
  '/etc/cloudlinux-release',
  '/etc/openEuler-release',
  '/etc/kylin-release',
  '/etc/euleros-release',
  '/etc/fedora-release',
  '/etc/altlinux-release',
  '/etc/mageia-release',
  '/etc/mandriva-release',
  '/etc/redhat-release',
  '/etc/system-release',
];

/** A distribution's own release file by its os-release ID, where the name is not `<id>-release`. */
const OWN_FILE: Readonly<Record<string, string>> = {
  rhel: '/etc/redhat-release',
  ol: '/etc/oracle-release',
  amzn: '/etc/system-release',
  sles: '/etc/SuSE-release',
  sles_sap: '/etc/SuSE-release',
  opensuse: '/etc/SuSE-release',
  alpine: '/etc/alpine-release',
  debian: '/etc/debian_version',
  devuan: '/etc/devuan_version',
  slackware: '/etc/slackware-version',
};

/** Devuan names its releases; os-release of the older ones carries no number. */
const DEVUAN = { jessie: '1', ascii: '2', beowulf: '3', chimaera: '4', daedalus: '5', excalibur: '6' } as const;

const isNumeric = (v: string | null | undefined): boolean => !!v && /^\d+(\.\d+)*$/.test(v);
const leadingNumber = (v: string | null | undefined): string | null => /^\d+(?:\.\d+)*/.exec(v ?? '')?.[0] ?? null;

function suseRelease(content: string | undefined): { line: string; version: string | null; pretty: string } | null {
  const line = firstLine(content);
  if (!line) return null;
  const kv = new Map<string, string>();
  for (const l of splitLines(content ?? null)) {
    const m = /^\s*([A-Z]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m?.[1] && m[2] !== undefined) kv.set(m[1], m[2]);
  }
  const major = kv.get('VERSION') ?? leadingNumber(parseReleaseLine(content)?.version);
  const patch = kv.get('PATCHLEVEL');
  const version = major && patch && patch !== '0' && !major.includes('.') ? `${major}.${patch}` : (major ?? null);
  const base = line.replace(/\s*\([^)]*\)\s*$/, '');
  return { line, version, pretty: patch && patch !== '0' ? `${base} SP${patch}` : base };
}

function lsbRelease(content: string | undefined): Record<string, string> {
  const raw = parseOsRelease(content ?? null);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) out[k] = v.replace(/^["']|["']$/g, '');
  return out;
}

/** The first file present of these, by exact path or (for odd capitalisation) case-insensitively. */
function pick(files: ReleaseFiles, path: string): string | undefined {
  const exact = files.get(path);
  if (exact !== undefined) return exact;
  const lower = path.toLowerCase();
  for (const [p, c] of files) if (p.toLowerCase() === lower) return c;
  return undefined;
}

function hintsOf(files: ReleaseFiles, platformId: string | undefined): FamilyHints {
  return {
    rpm:
      files.has('/etc/redhat-release') ||
      files.has('/etc/system-release') ||
      /^platform:(el|uel|uelc|an|oe)\d/.test(platformId ?? ''),
    deb: files.has('/etc/debian_version'),
  };
}

/** The distribution's own release file's first line and the version in it, for a known ID. */
function ownRelease(files: ReleaseFiles, id: string): { line: string; version: string | null } | null {
  const lower = id.toLowerCase();
  const paths = [
    OWN_FILE[lower] ?? `/etc/${id}-release`,
    `/etc/${lower}-release`,
    ...RPM_STYLE,
    '/etc/gentoo-release',
    '/etc/slackware-version',
    '/etc/alpine-release',
    '/etc/debian_version',
  ];
  if (lower === 'sles' || lower === 'sles_sap' || lower.startsWith('opensuse')) {
    const s = suseRelease(pick(files, '/etc/SuSE-release'));
    if (s) return s;
  }
  for (const p of paths) {
    const content = pick(files, p);
    const line = firstLine(content);
    if (!line) continue;
    if (p.endsWith('_version') || p === '/etc/alpine-release') return { line, version: line.split('/')[0] ?? null };
    return { line, version: parseReleaseLine(content)?.version ?? null };
  }
  return null;
}

/** The most precise version that agrees with os-release's VERSION_ID (CentOS 8 → 8.1.1911). */
function refine(base: string, candidates: readonly (string | null | undefined)[]): string {
  for (const c of candidates) {
    const n = leadingNumber(c);
    if (n && n.startsWith(`${base}.`)) return n;
  }
  return base;
}

function fromOsRelease(rel: Record<string, string>, files: ReleaseFiles): OsIdentity {
  let id = rel.ID ?? null;
  const idLike = (rel.ID_LIKE ?? '').split(/\s+/).filter(Boolean);
  const variantId = rel.VARIANT_ID ?? null;
  let name = rel.NAME ?? null;
  let prettyName = rel.PRETTY_NAME ?? null;
  const own = id ? ownRelease(files, id) : null;
  const lsb = lsbRelease(pick(files, '/etc/lsb-release'));
  let versionId = rel.VERSION_ID ?? null;
  let version = versionId;
  if (versionId && isNumeric(versionId)) {
    version = refine(versionId, [
      own?.version,
      rel.VERSION,
      lsb.DISTRIB_RELEASE,
      lsb.DISTRIB_DESCRIPTION?.split(' ')[1],
    ]);
  } else if (!versionId) {
    const codename = (rel.VERSION_CODENAME ?? firstLine(pick(files, '/etc/devuan_version')) ?? '').toLowerCase();
    if (id === 'devuan') versionId = DEVUAN[codename as keyof typeof DEVUAN] ?? null;
    else if (own && isNumeric(own.version)) versionId = own.version;
    version = versionId;
  }
  // SLES for SAP Applications: its own ID on 12, a variant of SLES from 15 on.
  if ((id === 'sles' && variantId === 'sles-sap') || id === 'sles_sap') {
    id = 'sles_sap';
    name = 'SUSE Linux Enterprise Server for SAP Applications';
    if (prettyName && !/SAP/.test(prettyName)) {
      prettyName = prettyName.replace(
        'SUSE Linux Enterprise Server',
        'SUSE Linux Enterprise Server for SAP Applications',
      );
    }
  }
  return {
    id,
    idLike,
    family: osFamily(id, idLike, hintsOf(files, rel.PLATFORM_ID)),
    name,
    versionId,
    version,
    variantId,
    prettyName: prettyName ?? (name ? [name, version].filter(Boolean).join(' ') : null),
    release: own?.line ?? null,
  };
}

function identity(p: {
  id: string;
  name: string;
  version: string | null;
  prettyName?: string | null;
  release: string | null;
  files: ReleaseFiles;
  family?: OsFamily;
}): OsIdentity {
  return {
    id: p.id,
    idLike: [],
    family: p.family ?? osFamily(p.id, [], hintsOf(p.files, undefined)),
    name: p.name,
    versionId: p.version,
    version: p.version,
    variantId: null,
    prettyName: p.prettyName ?? [p.name, p.version].filter(Boolean).join(' '),
    release: p.release,
  };
}

/** A Linux host without a usable os-release: the release files, in the order that is most specific. */
function fromReleaseFiles(files: ReleaseFiles): OsIdentity | null {
  for (const path of RPM_STYLE) {
    const r = parseReleaseLine(pick(files, path));
    if (!r?.version) continue;
    return identity({
      id: idFromName(r.name, path),
      name: r.name,
      version: r.version,
      prettyName: r.line,
      release: r.line,
      files,
    });
  }
  const suse = suseRelease(pick(files, '/etc/SuSE-release'));
  if (suse) {
    const name = suse.line.replace(/\s*\d.*$/, '');
    return identity({
      id: idFromName(name, '/etc/SuSE-release'),
      name,
      version: suse.version,
      prettyName: suse.pretty,
      release: suse.line,
      files,
    });
  }
  for (const path of ['/etc/gentoo-release', '/etc/slackware-version']) {
    const r = parseReleaseLine(pick(files, path));
    if (r) return identity({ id: idFromName(r.name, path), name: r.name, version: r.version, release: r.line, files });
  }
  const alpine = firstLine(pick(files, '/etc/alpine-release'));
  if (alpine) return identity({ id: 'alpine', name: 'Alpine Linux', version: alpine, release: alpine, files });
  if (pick(files, '/etc/arch-release') !== undefined) {
    return identity({ id: 'arch', name: 'Arch Linux', version: null, release: null, files });
  }
  const lsb = lsbRelease(pick(files, '/etc/lsb-release'));
  if (lsb.DISTRIB_ID) {
    const base = lsb.DISTRIB_RELEASE ?? null;
    const desc = lsb.DISTRIB_DESCRIPTION ?? null;
    const fromDesc = desc ? words(desc).map(leadingNumber) : [];
    return identity({
      id: lsb.DISTRIB_ID.toLowerCase(),
      name: lsb.DISTRIB_ID,
      version: base && isNumeric(base) ? refine(base, fromDesc) : base,
      prettyName: desc,
      release: desc,
      files,
    });
  }
  const devuan = firstLine(pick(files, '/etc/devuan_version'));
  if (devuan) {
    const v = isNumeric(devuan) ? devuan : (DEVUAN[devuan.split('/')[0] as keyof typeof DEVUAN] ?? null);
    return identity({ id: 'devuan', name: 'Devuan GNU/Linux', version: v, release: devuan, files });
  }
  const debian = firstLine(pick(files, '/etc/debian_version'));
  if (debian) {
    const v = isNumeric(debian) ? debian : null;
    return identity({ id: 'debian', name: 'Debian GNU/Linux', version: v, release: debian, files });
  }
  for (const [path, content] of files) {
    if (!/-release$/.test(path) || /\/(os|lsb)-release$/.test(path)) continue;
    const r = parseReleaseLine(content);
    if (r?.version) {
      return identity({ id: idFromName(r.name, path), name: r.name, version: r.version, release: r.line, files });
    }
  }
  return null;
}

/** Solaris and the illumos distributions: `/etc/release`, `/etc/product` on SmartOS, `uname -v`. */
function fromSunOs(files: ReleaseFiles, uname: Uname): OsIdentity {
  const line = firstLine(pick(files, '/etc/release'));
  const l = line ?? '';
  const unameV = uname.version ?? '';
  const versionAfter = (word: string): string | null => {
    const w = words(l);
    const i = w.findIndex((x) => x === word);
    return w.slice(i + 1).find((x) => /\d/.test(x)) ?? null;
  };
  const solaris = (id: string, name: string, version: string | null): OsIdentity =>
    identity({ id, name, version, prettyName: line, release: line, files, family: 'solaris' });
  if (/Solaris/.test(l)) {
    const version = /Solaris\s+(\d+(?:\.\d+)*)/.exec(l)?.[1] ?? null;
    return solaris('solaris', /Oracle/.test(l) ? 'Oracle Solaris' : 'Solaris', version);
  }
  if (/SmartOS/.test(l)) {
    const product = parseProduct(pick(files, '/etc/product'));
    const image = product.get('Image');
    const stamp = /SmartOS\s+(\d{8}T\d{6}Z)/.exec(l)?.[1];
    const version = image ? (words(image).pop() ?? null) : (stamp ?? (unameV.replace(/^joyent_/, '') || null));
    return solaris('smartos', 'SmartOS', version);
  }
  if (/OmniOS/.test(l)) return solaris('omnios', 'OmniOS', words(l).pop() ?? null);
  if (/OpenIndiana/.test(l)) {
    const w = words(l);
    const version = w.slice(1).find((x) => /\d/.test(x)) ?? (unameV || null);
    return solaris('openindiana', 'OpenIndiana', version);
  }
  if (/Nexenta/i.test(l) || /NexentaOS_/.test(unameV)) {
    const version = (versionAfter('Appliance') ?? words(l).pop() ?? '').replace(/^v/, '') || null;
    return solaris('nexenta', 'Nexenta', version);
  }
  return solaris('illumos', words(l)[0] ?? 'SunOS', uname.release);
}

function parseProduct(content: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of splitLines(content ?? null)) {
    const i = l.indexOf(': ');
    if (i > 0) out.set(l.slice(0, i).trim(), l.slice(i + 2).trim());
  }
  return out;
}

const BSD: Readonly<Record<string, readonly [string, string]>> = {
  FreeBSD: ['freebsd', 'FreeBSD'],
  NetBSD: ['netbsd', 'NetBSD'],
  OpenBSD: ['openbsd', 'OpenBSD'],
  DragonFly: ['dragonfly', 'DragonFly'],
};

/** The BSDs: FreeBSD's userland version (which a jail or an unrebooted host knows better than the kernel). */
function fromBsd(files: ReleaseFiles, uname: Uname, id: string, name: string): OsIdentity {
  let release = uname.release;
  if (id === 'freebsd') {
    const m = /^USERLAND_VERSION="?([^"\s]+)"?/m.exec(pick(files, '/bin/freebsd-version') ?? '');
    if (m?.[1]) release = m[1];
  }
  let version = leadingNumber(release);
  if (id === 'dragonfly') version = /\bv(\d+\.\d+(?:\.\d+)?)/.exec(uname.version ?? '')?.[1] ?? version;
  return identity({
    id,
    name,
    version,
    prettyName: release ? `${name} ${release}` : name,
    release,
    files,
    family: id as OsFamily,
  });
}

const usable = (rel: Record<string, string>): boolean => !!(rel.ID || rel.NAME);

/** Names the operating system from its release files and `uname`. */
export function identifyOs(files: ReleaseFiles, uname: Uname): OsIdentity {
  const rel = [pick(files, '/etc/os-release'), pick(files, '/usr/lib/os-release')]
    .map((c) => parseOsRelease(c ?? null))
    .find(usable);
  const sys = uname.sysname ?? '';
  const bsd = BSD[sys];
  if (bsd) {
    const fromUname = fromBsd(files, uname, bsd[0], bsd[1]);
    // A FreeBSD derivative with its own os-release (TrueNAS, GhostBSD) keeps its name, with the BSD's version.
    if (!rel?.ID || rel.ID === bsd[0]) return fromUname;
    const derived = fromOsRelease(rel, files);
    return {
      ...derived,
      family: derived.family === 'other' ? fromUname.family : derived.family,
      release: fromUname.release,
    };
  }
  if (sys === 'SunOS') {
    if (!rel?.ID || !rel.VERSION_ID) return fromSunOs(files, uname);
    return { ...fromOsRelease(rel, files), release: firstLine(pick(files, '/etc/release')) };
  }
  if (rel) return fromOsRelease(rel, files);
  return (
    fromReleaseFiles(files) ?? {
      id: null,
      idLike: [],
      family: 'other',
      name: null,
      versionId: null,
      version: null,
      variantId: null,
      prettyName: null,
      release: null,
    }
  );
}
