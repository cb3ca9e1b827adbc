/** Builds service configuration, certificates, logs and locations from framed sections. */
import type { Certificate, DatabaseServerConfig, HbaRule, LogFile, ServiceConfig, WebSite } from './facts.js';
import type { Framed } from './framing.js';
import { SectionView } from './framing.js';
import { parsePhpVersion, phpVersionFromDir } from './parsers/apps.js';
import { daysLeft, parsePemCertificates } from './parsers/certs.js';
import {
  listenList,
  MYSQL_SERVER_SECTIONS,
  parseConfGrep,
  parseMongodGrep,
  parseNameList,
  parsePairs,
  parsePgHba,
} from './parsers/databases.js';
import { parseRedisConf } from './parsers/redis-conf.js';
import { parseSshdConfig, parseSshdT } from './parsers/sshd.js';
import { parseApacheGrep, parseNginxT } from './parsers/webservers.js';
import { compareText, splitLines, toPort, uniqSorted } from './parsers/util.js';

const view = (f: Framed, name: string): SectionView => new SectionView(f.sections.get(name));

function mysqlConfig(f: Framed): DatabaseServerConfig | null {
  const db = view(f, 'databases');
  const vars = parsePairs(db.text('mysql-vars') ?? [], '\t');
  const conf = parseConfGrep(view(f, 'config').text('mysql-cnf') ?? [], MYSQL_SERVER_SECTIONS);
  if (vars.size === 0 && conf.size === 0) return null;
  const fromQuery = vars.size > 0;
  const get = (k: string): string | undefined => (fromQuery ? vars.get(k) : conf.get(k));
  return {
    version: vars.get('version') ?? null,
    dataDirectory: get('datadir')?.replace(/(.)\/$/, '$1') ?? null,
    listen: listenList(get('bind_address')),
    port: toPort(get('port')),
    databases: parseNameList(db.text('mysql-databases') ?? []).sort(compareText),
    source: fromQuery ? 'query' : 'config',
  };
}

function postgresConfig(f: Framed): (DatabaseServerConfig & { hba: HbaRule[] }) | null {
  const db = view(f, 'databases');
  const cfg = view(f, 'config');
  const settings = parsePairs(db.text('pg-settings') ?? [], '|');
  const conf = parseConfGrep(cfg.text('pg-conf') ?? [], null);
  const hba = cfg.files('pg_hba').flatMap((b) => parsePgHba(b.content, b.path));
  if (settings.size === 0 && conf.size === 0 && hba.length === 0) return null;
  const fromQuery = settings.size > 0;
  const get = (k: string): string | undefined => (fromQuery ? settings.get(k) : conf.get(k));
  return {
    version: settings.get('server_version') ?? null,
    dataDirectory: get('data_directory') ?? null,
    listen: listenList(get('listen_addresses')),
    port: toPort(get('port')) ?? (fromQuery ? null : 5432),
    databases: parseNameList(db.text('pg-databases') ?? []).sort(compareText),
    source: fromQuery ? 'query' : 'config',
    hba,
  };
}

function redisConfig(f: Framed): ServiceConfig['redis'] {
  const file =
    view(f, 'credentials')
      .files('redis')
      .find((b) => /redis\.conf$/.test(b.path)) ?? view(f, 'credentials').files('redis')[0];
  if (!file) return null;
  const d = parseRedisConf(file.content);
  const first = (name: string): string[] | undefined => d.find((x) => x.name === name)?.args;
  return {
    bind: d.filter((x) => x.name === 'bind').flatMap((x) => x.args),
    port: toPort(first('port')?.[0]),
    dir: first('dir')?.[0] ?? null,
    passwordSet: d.some((x) => x.name === 'requirepass' && (x.args[0] ?? '') !== ''),
    source: file.path,
  };
}

function sortSites(sites: WebSite[]): WebSite[] {
  return sites.sort(
    (a, b) =>
      compareText(a.server, b.server) ||
      compareText(a.source, b.source) ||
      compareText(a.names.join(' '), b.names.join(' ')) ||
      compareText(a.roots.join(' '), b.roots.join(' ')),
  );
}

export function buildServiceConfig(f: Framed): ServiceConfig {
  const cfg = view(f, 'config');
  const sshdT = cfg.text('sshd-T');
  const sshd = sshdT ? parseSshdT(sshdT) : parseSshdConfig(cfg.files('sshd_config').map((b) => b.content ?? ''));
  const nginx = cfg.files('nginx-T')[0];
  const sites = [...(nginx ? parseNginxT(nginx.content) : []), ...parseApacheGrep(cfg.text('apache-grep') ?? [])];
  const phpVersions = [
    parsePhpVersion(cfg.text('php-version') ?? []),
    ...(cfg.text('php-dirs') ?? []).map(phpVersionFromDir),
  ];
  const mongo = parseMongodGrep(cfg.text('mongod-conf') ?? []);
  return {
    sshd,
    webSites: sortSites(sites),
    php: { versions: uniqSorted(phpVersions.filter((v): v is string => v !== null)) },
    mysql: mysqlConfig(f),
    postgresql: postgresConfig(f),
    redis: redisConfig(f),
    mongodb:
      mongo.size > 0
        ? {
            bindIp: mongo.get('bindIp') ?? null,
            port: toPort(mongo.get('port')),
            dbPath: mongo.get('dbPath') ?? null,
            authorization: mongo.get('authorization') ?? null,
          }
        : null,
  };
}

export function buildCertificates(f: Framed, now: Date): Certificate[] {
  const byFingerprint = new Map<string, { cert: Certificate; paths: Set<string> }>();
  for (const file of view(f, 'certificates').files('cert')) {
    const chain = parsePemCertificates(file.content);
    const leaf = chain[0];
    if (!leaf) continue;
    const prev = byFingerprint.get(leaf.fingerprint256);
    if (prev) {
      prev.paths.add(file.path);
      continue;
    }
    const left = daysLeft(leaf.notAfter, now);
    byFingerprint.set(leaf.fingerprint256, {
      paths: new Set([file.path]),
      cert: {
        ...leaf,
        paths: [],
        daysLeft: left,
        expired: Date.parse(leaf.notAfter) <= now.getTime(),
        chainLength: chain.length,
      },
    });
  }
  return [...byFingerprint.values()]
    .map(({ cert, paths }) => ({ ...cert, paths: uniqSorted(paths) }))
    .sort((a, b) => compareText(a.paths[0] ?? '', b.paths[0] ?? '') || compareText(a.fingerprint256, b.fingerprint256));
}

export function buildLogs(f: Framed, maxLines: number): LogFile[] {
  return view(f, 'logs')
    .logs()
    .map((b) => ({
      path: b.path,
      sizeBytes: b.size,
      modifiedAt: b.mtime === null ? null : new Date(b.mtime * 1000).toISOString(),
      recentLines: splitLines(b.content)
        .slice(-maxLines)
        .map((l) => l.slice(0, 2000)),
    }))
    .sort((a, b) => compareText(a.path, b.path));
}

const DATA_DIR_ENGINES: [RegExp, string][] = [
  [/\/(mysql|mariadb)(\/|$)/, 'mysql'],
  [/\/(pgsql|postgresql)(\/|$)/, 'postgresql'],
  [/\/redis(\/|$)/, 'redis'],
  [/\/mongo(db)?(\/|$)/, 'mongodb'],
  [/\/docker(\/|$)/, 'docker'],
  [/\/containerd(\/|$)/, 'containerd'],
];

export function dataDirectories(f: Framed, config: ServiceConfig): { engine: string; path: string }[] {
  const out = new Map<string, string>();
  for (const line of view(f, 'locations').text('data-dirs') ?? []) {
    const path = line.trim();
    if (!path.startsWith('/')) continue;
    const engine = DATA_DIR_ENGINES.find(([re]) => re.test(path))?.[1] ?? 'other';
    out.set(path, engine);
  }
  // A data directory the server itself reports supersedes the guess from well-known places.
  if (config.mysql?.dataDirectory) out.set(config.mysql.dataDirectory, 'mysql');
  if (config.postgresql?.dataDirectory) out.set(config.postgresql.dataDirectory, 'postgresql');
  if (config.redis?.dir) out.set(config.redis.dir, 'redis');
  if (config.mongodb?.dbPath) out.set(config.mongodb.dbPath, 'mongodb');
  return [...out.entries()].map(([path, engine]) => ({ engine, path })).sort((a, b) => compareText(a.path, b.path));
}

export function webRoots(f: Framed, config: ServiceConfig): string[] {
  const fromDirs = (view(f, 'locations').text('web-dirs') ?? []).map((l) => l.trim()).filter((l) => l.startsWith('/'));
  return uniqSorted([...fromDirs, ...config.webSites.flatMap((s) => s.roots)]);
}
