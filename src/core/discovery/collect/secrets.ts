/**
 * Credentials in known configuration files. Each file's settings are read by its own parser; values that are
 * credentials become `FoundSecret`s (wrapped in `Secret`), and the facts keep only where they were and the
 * names of the settings.
 */
import { secret } from '../../../kernel/secret.js';
import { secretKind } from './classify.js';
import type { ConfigFileRef, DbAdmin, FoundSecret, SecretKind, SecretSourceFormat } from './facts.js';
import { type FileBlock, tagOwner } from './framing.js';
import { parseEnvFile } from './parsers/env-file.js';
import { parseMyCnf } from './parsers/my-cnf.js';
import { parsePgpass } from './parsers/pgpass.js';
import { parsePhpConfig, type PhpSetting } from './parsers/php-config.js';
import { parseRedisConf } from './parsers/redis-conf.js';
import { uniqSorted } from './parsers/util.js';

export interface ExtractedSecrets {
  readonly secrets: FoundSecret[];
  readonly configFiles: ConfigFileRef[];
  /** MySQL accounts that client option files name (used when the server could not be asked). */
  readonly configDbUsers: DbAdmin[];
}

const WP_SALTS = /^(AUTH|SECURE_AUTH|LOGGED_IN|NONCE)_(KEY|SALT)$/;

type Context = FoundSecret['context'];

class Collector {
  readonly secrets: FoundSecret[] = [];
  readonly configFiles: ConfigFileRef[] = [];
  readonly configDbUsers: DbAdmin[] = [];

  add(location: string, kind: SecretKind, key: string, value: string, context: Context): void {
    this.secrets.push({ location, kind, key, value: secret(value), context: dropEmpty(context) });
  }

  file(path: string, format: SecretSourceFormat, keys: Iterable<string>, secretKeys: Iterable<string>): void {
    this.configFiles.push({ path, format, keys: uniqSorted(keys), secretKeys: uniqSorted(secretKeys) });
  }
}

function dropEmpty(c: Context): Context {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (v !== undefined && v !== '') out[k] = v;
  return out as Context;
}

function env(c: Collector, f: FileBlock): void {
  const entries = parseEnvFile(f.content);
  const found: string[] = [];
  for (const e of entries) {
    const kind = secretKind(e.key, e.value);
    if (!kind) continue;
    found.push(e.key);
    c.add(f.path, kind, e.key, e.value, { format: 'env', line: e.line });
  }
  c.file(
    f.path,
    'env',
    entries.map((e) => e.key),
    found,
  );
}

function firstValue(settings: readonly PhpSetting[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const s = settings.find((x) => x.key.toLowerCase() === n);
    if (s) return s.value;
  }
  return undefined;
}

function php(c: Collector, f: FileBlock, format: 'wp-config' | 'php-config'): void {
  const settings = parsePhpConfig(f.content);
  const found: string[] = [];
  const user = firstValue(settings, ['db_user', 'username', 'dbuser', 'user']);
  const database = firstValue(settings, ['db_name', 'database', 'dbname', 'db']);
  const host = firstValue(settings, ['db_host', 'host', 'dbhost']);
  for (const s of settings) {
    const kind: SecretKind | null =
      format === 'wp-config' && WP_SALTS.test(s.key)
        ? s.value && s.value !== 'put your unique phrase here'
          ? 'token'
          : null
        : secretKind(s.key, s.value);
    if (!kind) continue;
    found.push(s.key);
    const dbContext = kind === 'password' || kind === 'connection_string' ? { user, database, host } : {};
    c.add(f.path, kind, s.key, s.value, { format, line: s.line, ...dbContext });
  }
  c.file(
    f.path,
    format,
    settings.map((s) => s.key),
    found,
  );
}

const SYSTEM_ADMIN_USERS = new Set(['root', 'debian-sys-maint', 'admin']);

function myCnf(c: Collector, f: FileBlock): void {
  const options = parseMyCnf(f.content);
  const owner = tagOwner(f) ?? undefined;
  const found: string[] = [];
  for (const o of options) {
    if (o.key !== 'password' && o.key !== 'pass') continue;
    const kind = secretKind('password', o.value);
    if (!kind) continue;
    const inSection = (k: string): string | undefined =>
      options.find((x) => x.section === o.section && x.key === k)?.value;
    found.push(`[${o.section}] ${o.key}`);
    c.add(f.path, kind, `[${o.section}] ${o.key}`, o.value, {
      format: 'my.cnf',
      line: o.line,
      section: o.section,
      user: inSection('user'),
      host: inSection('host'),
      port: inSection('port'),
      owner,
    });
  }
  for (const o of options) {
    if (o.key !== 'user' || !/^(client|mysql|mysqladmin|mysqldump|client-server)$/.test(o.section) || !o.value)
      continue;
    c.configDbUsers.push({
      engine: 'mysql',
      name: o.value,
      host: null,
      superuser: SYSTEM_ADMIN_USERS.has(o.value),
      canLogin: null,
      source: 'config',
      detail: `named in ${f.path}`,
    });
  }
  c.file(
    f.path,
    'my.cnf',
    options.map((o) => `[${o.section}] ${o.key}`),
    found,
  );
}

function pgpass(c: Collector, f: FileBlock): void {
  const owner = tagOwner(f) ?? undefined;
  const entries = parsePgpass(f.content);
  for (const e of entries) {
    c.add(f.path, 'password', 'password', e.password, {
      format: 'pgpass',
      line: e.line,
      host: e.host,
      port: e.port,
      database: e.database,
      user: e.user,
      owner,
    });
  }
  c.file(
    f.path,
    'pgpass',
    entries.map((e) => `${e.user}@${e.host}:${e.port}/${e.database}`),
    entries.length > 0 ? ['password'] : [],
  );
}

function redis(c: Collector, f: FileBlock): void {
  const directives = parseRedisConf(f.content);
  const found: string[] = [];
  for (const d of directives) {
    if ((d.name === 'requirepass' || d.name === 'masterauth') && d.args[0]) {
      found.push(d.name);
      c.add(f.path, 'password', d.name, d.args[0], { format: 'redis', line: d.line });
    }
    if (d.name === 'user' && d.args[0]) {
      for (const a of d.args.slice(1)) {
        if (!a.startsWith('>') || a.length < 2) continue;
        found.push(`user ${d.args[0]}`);
        c.add(f.path, 'password', `user ${d.args[0]}`, a.slice(1), { format: 'redis', line: d.line, user: d.args[0] });
      }
    }
  }
  c.file(
    f.path,
    'redis',
    directives.map((d) => d.name),
    found,
  );
}

/** Reads every credential-bearing file block; unknown tags are ignored. */
export function extractSecrets(files: readonly FileBlock[]): ExtractedSecrets {
  const c = new Collector();
  const seen = new Set<string>();
  for (const f of files) {
    const base = f.tag.replace(/:.*$/, '');
    if (seen.has(`${base}\0${f.path}`)) continue;
    seen.add(`${base}\0${f.path}`);
    if (base === 'env') env(c, f);
    else if (base === 'wp-config') php(c, f, 'wp-config');
    else if (base === 'php-config') php(c, f, 'php-config');
    else if (base === 'my.cnf') myCnf(c, f);
    else if (base === 'pgpass') pgpass(c, f);
    else if (base === 'redis') redis(c, f);
  }
  return { secrets: c.secrets, configFiles: c.configFiles, configDbUsers: c.configDbUsers };
}
