/**
 * Turns the discovery script's output into `Facts` and a separate list of found secrets. Pure and total:
 * whatever the text, it returns a result (missing parts are empty and explained in `facts.notes`).
 */
import { buildAdmins, buildDbAdmins, buildSshKeys, buildUsers } from './assemble-access.js';
import { buildCertificates, buildLogs, buildServiceConfig, dataDirectories, webRoots } from './assemble-apps.js';
import {
  buildIdentity,
  buildOs,
  buildPackages,
  buildPerformance,
  buildPorts,
  buildServices,
  rawProcesses,
} from './assemble-system.js';
import {
  FACTS_SCHEMA_VERSION,
  type AppFile,
  type Certificate,
  type Container,
  type DiscoveryResult,
  type Facts,
  type FoundSecret,
  type ProcessSummary,
  type SecretSourceFormat,
} from './facts.js';
import { frame, type Framed, SectionView } from './framing.js';
import { parseDockerPs, parseNodeProcesses, parsePackageJson, parseWpVersion } from './parsers/apps.js';
import type { RawProcess } from './parsers/ps.js';
import { daysLeft } from './parsers/certs.js';
import { compareText, uniqSorted } from './parsers/util.js';
import { recogniseApplications } from './recognise.js';
import { scrubFacts } from './scrub.js';
import { SECTIONS } from './script.js';
import { extractSecrets } from './secrets.js';

export interface ParseOptions {
  /** The time the run is judged at: certificate days left, `collectedAt`. */
  readonly now: Date;
  /** Keep at most this many recent lines per log (default 50). */
  readonly logLines?: number;
  /**
   * The facts of the run whose fingerprints the script was given: a section that answered `unchanged` takes
   * its facts from here (packages; users and groups; administrators; SSH keys; certificates, judged again at
   * `now`; application files and the settings they name; logs).
   */
  readonly previous?: Facts;
  /**
   * The credentials the run of `previous` found in application files (formats in `APP_SECRET_FORMATS`), opened
   * from the vault. When the apps section answers `unchanged` they stand for what reading those files again
   * would find: they are returned in `foundSecrets` and cut out of the facts like any found secret.
   */
  readonly previousSecrets?: readonly FoundSecret[];
}

/** The credential formats the apps section's files yield (the credentials section yields the others). */
export const APP_SECRET_FORMATS: readonly SecretSourceFormat[] = ['env', 'wp-config', 'php-config'];
const isAppFormat = (format: SecretSourceFormat): boolean => APP_SECRET_FORMATS.includes(format);

const view = (f: Framed, name: string): SectionView => new SectionView(f.sections.get(name));
const dirOf = (path: string, up = 1): string => {
  let p = path;
  for (let i = 0; i < up; i++) p = p.replace(/\/[^/]*$/, '') || '/';
  return p;
};

function summariseProcesses(procs: readonly RawProcess[], userOf: (uid: number) => string | null): ProcessSummary[] {
  const by = new Map<string, { users: Set<string>; count: number }>();
  for (const p of procs) {
    // Kernel threads say nothing about what the server runs.
    if (p.ppid === 2 || p.pid === 2 || (p.args.startsWith('[') && p.args.endsWith(']'))) continue;
    const e = by.get(p.command) ?? { users: new Set<string>(), count: 0 };
    const user = p.user ?? (p.uid === null ? null : (userOf(p.uid) ?? String(p.uid)));
    if (user) e.users.add(user);
    e.count++;
    by.set(p.command, e);
  }
  return [...by.entries()]
    .map(([command, e]) => ({ command, users: uniqSorted(e.users), count: e.count }))
    .sort((a, b) => compareText(a.command, b.command));
}

function appFiles(f: Framed): AppFile[] {
  const apps = view(f, 'apps');
  const out = new Map<string, AppFile>();
  const versions = new Map(apps.textsWithPrefix('wp-version').map((b) => [b.rest, parseWpVersion(b.lines)]));
  for (const b of apps.files('wp-config')) {
    out.set(`wordpress\0${dirOf(b.path)}`, {
      kind: 'wordpress',
      path: dirOf(b.path),
      name: null,
      version: versions.get(b.path) ?? null,
      frameworks: [],
      running: false,
    });
  }
  for (const b of apps.files('php-config')) {
    const kind = /\/sites\/[^/]+\/settings\.php$/.test(b.path)
      ? 'drupal'
      : /\/configuration\.php$/.test(b.path)
        ? 'joomla'
        : /\/config\/config\.php$/.test(b.path)
          ? 'nextcloud'
          : null;
    if (!kind) continue;
    const path = dirOf(b.path, kind === 'joomla' ? 1 : 2);
    out.set(`${kind}\0${path}`, { kind, path, name: null, version: null, frameworks: [], running: false });
  }
  const cwds = parseNodeProcesses(apps.text('node-processes') ?? []).map((p) => p.cwd);
  for (const b of apps.files('package.json')) {
    const info = parsePackageJson(b.content);
    if (!info) continue;
    const path = dirOf(b.path);
    const running = cwds.some((c) => c === path || c.startsWith(`${path}/`));
    // A package.json nobody runs and that declares no entry point is a library or a build tool, not an app.
    if (!running && !info.hasStartScript) continue;
    out.set(`node\0${path}`, {
      kind: 'node',
      path,
      name: info.name,
      version: info.version,
      frameworks: info.frameworks,
      running,
    });
  }
  return [...out.values()].sort((a, b) => compareText(a.path, b.path) || compareText(a.kind, b.kind));
}

function containers(f: Framed): Container[] {
  return parseDockerPs(view(f, 'config').text('docker-ps') ?? [])
    .map((c) => ({ name: c.name, image: c.image, id: c.id, status: c.status, ports: c.ports }))
    .sort((a, b) => compareText(a.name, b.name));
}

function notesFor(f: Framed, facts: Omit<Facts, 'notes'>, reusable: boolean): string[] {
  const notes: string[] = [];
  if (!f.complete)
    notes.push('The output ended early (cut off or the script was stopped); later sections may be missing.');
  const missing = SECTIONS.filter((s) => !f.sections.has(s));
  if (missing.length > 0 && f.sections.size > 0) notes.push(`Sections missing from the output: ${missing.join(', ')}.`);
  for (const s of SECTIONS)
    if (f.sections.get(s)?.unchanged && !reusable)
      notes.push(`The ${s} section answered "unchanged" but no earlier facts were at hand; run a full discovery.`);
  if (f.sections.size === 0)
    notes.push('The output held no discovery sections (wrong boundary, or the script did not run).');
  if (facts.privilege === 'user')
    notes.push(
      "The script ran without root or passwordless sudo, so protected files (sudoers, shadow, other users' keys and configuration) could not be read.",
    );
  if (f.sections.has('packages') && facts.packages.length === 0)
    notes.push('No package manager answered (dpkg, rpm and apk were tried).');
  if (view(f, 'databases').text('mysql-login-failed'))
    notes.push(
      'MySQL/MariaDB is installed but a local root login did not work; its administrators come from client configuration only.',
    );
  if (view(f, 'databases').text('pg-login-failed'))
    notes.push('PostgreSQL is installed but the postgres account could not query it; its roles are unknown.');
  for (const path of f.capped) notes.push(`Skipped ${path}: the run reached its cap on files read.`);
  if (f.meta.get('encoding') === 'none')
    notes.push('The server has neither base64 nor od, so file contents could not be read.');
  return notes;
}

type Reusable = Pick<
  Facts,
  'packages' | 'users' | 'groups' | 'admins' | 'sshKeys' | 'logs' | 'certificates' | 'locations'
>;
const EMPTY_PREVIOUS: Reusable = {
  packages: [],
  users: [],
  groups: [],
  admins: { uid0: [], adminGroups: [], grants: [], effective: [] },
  sshKeys: { authorized: [], host: [], privateKeyFiles: [] },
  logs: [],
  certificates: [],
  locations: { webRoots: [], appFiles: [], dataDirectories: [], configFiles: [] },
};

/** Certificates taken from an earlier run, judged again at this run's time (days left, expired). */
function rejudged(certs: readonly Certificate[], now: Date): Certificate[] {
  return certs.map((c) => ({
    ...c,
    daysLeft: daysLeft(c.notAfter, now),
    expired: Date.parse(c.notAfter) <= now.getTime(),
  }));
}

const PRIVILEGES = new Set(['root', 'sudo', 'user']);

/**
 * Parses one run's output. `boundary` must be the token the script was built with. The returned facts hold
 * no secret value: every credential found is in `foundSecrets` only, and is also cut out of any log line or
 * process argument where it happened to appear.
 */
export function parseDiscoveryOutput(text: string, boundary: string, options: ParseOptions): DiscoveryResult {
  const f = frame(typeof text === 'string' ? text : '', boundary);
  const fileBlocks = [
    ...view(f, 'credentials').files('my.cnf'),
    ...view(f, 'credentials').files('pgpass'),
    ...view(f, 'credentials').files('redis'),
    ...view(f, 'apps').files('env'),
    ...view(f, 'apps').files('wp-config'),
    ...view(f, 'apps').files('php-config'),
  ];
  const extracted = extractSecrets(fileBlocks);

  const prev = options.previous?.schemaVersion === FACTS_SCHEMA_VERSION ? options.previous : undefined;
  const unchanged = SECTIONS.filter((s) => f.sections.get(s)?.unchanged);
  // An unchanged section printed nothing: its facts are the previous run's (empty when there is none).
  const reuse = (s: string): Reusable | undefined =>
    unchanged.includes(s as never) ? (prev ?? EMPTY_PREVIOUS) : undefined;
  // Unchanged application files: their credentials and the settings they name are the previous run's.
  const appsReused = reuse('apps');
  const secrets = appsReused
    ? [
        ...extracted.secrets,
        ...(prev ? (options.previousSecrets ?? []) : []).filter((s) => isAppFormat(s.context.format)),
      ]
    : extracted.secrets;
  const configFiles = appsReused
    ? [...extracted.configFiles, ...appsReused.locations.configFiles.filter((c) => isAppFormat(c.format))]
    : extracted.configFiles;
  const { users, groups } = reuse('users') ?? buildUsers(f);
  const nameByUid = new Map(users.map((u) => [u.uid, u.name]));
  const userOf = (uid: number): string | null => nameByUid.get(uid) ?? null;
  const procs = rawProcesses(f);
  const serviceConfig = buildServiceConfig(f);
  const files = appsReused ? [...appsReused.locations.appFiles] : appFiles(f);
  const privilege = f.meta.get('privilege') ?? '';

  const base = {
    schemaVersion: FACTS_SCHEMA_VERSION,
    collectedAt: options.now.toISOString(),
    privilege: PRIVILEGES.has(privilege) ? (privilege as Facts['privilege']) : 'unknown',
    complete: f.complete,
    identity: buildIdentity(f),
    os: buildOs(f),
    packages: reuse('packages')?.packages ?? buildPackages(f),
    applications: [],
    services: buildServices(f),
    ports: buildPorts(f),
    processes: summariseProcesses(procs, userOf),
    containers: containers(f),
    users,
    groups,
    admins: reuse('access')?.admins ?? buildAdmins(f, users, groups),
    dbAdmins: buildDbAdmins(f, extracted.configDbUsers),
    sshKeys: reuse('sshkeys')?.sshKeys ?? buildSshKeys(f),
    certificates: reuse('certificates')
      ? rejudged(reuse('certificates')?.certificates ?? [], options.now)
      : buildCertificates(f, options.now),
    performance: buildPerformance(f, procs, userOf),
    serviceConfig,
    logs: reuse('logs')?.logs ?? buildLogs(f, options.logLines ?? 50),
    locations: {
      webRoots: webRoots(f, serviceConfig),
      appFiles: files,
      dataDirectories: dataDirectories(f, serviceConfig),
      configFiles: [...configFiles].sort((a, b) => compareText(a.path, b.path) || compareText(a.format, b.format)),
    },
  } satisfies Omit<Facts, 'notes'>;
  const facts: Facts = {
    ...base,
    applications: recogniseApplications(base),
    notes: notesFor(f, base, prev !== undefined),
  };

  const foundSecrets: FoundSecret[] = [...secrets].sort(
    (a, b) =>
      compareText(a.location, b.location) || (a.context.line ?? 0) - (b.context.line ?? 0) || compareText(a.key, b.key),
  );
  const fingerprints: Record<string, string> = {};
  for (const [name, s] of f.sections) if (s.fingerprint) fingerprints[name] = s.fingerprint;
  return {
    facts: scrubFacts(facts, foundSecrets),
    foundSecrets,
    hostCpuTicks: Object.fromEntries(f.cpuTicks),
    fingerprints,
    unchangedSections: unchanged,
  };
}
