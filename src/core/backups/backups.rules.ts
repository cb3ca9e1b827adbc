/** Pure rules of backups: what is a valid plan, what discovery suggests, retention as restic arguments. */
import { invalidInput } from '../../kernel/errors.js';
import type { Facts } from '../discovery/collect/index.js';
import { DEFAULT_KEEP, type KeepRules, type PlanInput } from './backups.types.js';

const DB_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$/;
const DB_USER = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,79}$/;
const SYSTEM_DATABASES = new Set([
  'mysql',
  'information_schema',
  'performance_schema',
  'sys',
  'postgres',
  'template0',
  'template1',
]);

export const MIN_INTERVAL_MINUTES = 5;
export const MAX_INTERVAL_MINUTES = 31 * 24 * 60;
export const DEFAULT_INTERVAL_MINUTES = 24 * 60;

export function assertDatabaseName(name: string, field = 'database'): string {
  if (!DB_NAME.test(name))
    throw invalidInput(
      `${field} must be a database name of letters, digits, _, $ or - (at most 64, not starting with -).`,
      { field },
    );
  return name;
}

export function assertDbUser(name: string): string {
  if (!DB_USER.test(name))
    throw invalidInput('dbUser must be a database account name of letters, digits, _, ., @ or -.', {
      field: 'dbUser',
    });
  return name;
}

/** An absolute path without `..`, control characters or a trailing slash (except `/` itself). */
export function assertPath(path: string, field: string): string {
  if (
    !path.startsWith('/') ||
    path.length > 1024 ||
    /\p{Cc}/u.test(path) ||
    path.split('/').some((p) => p === '..' || p === '.')
  )
    throw invalidInput(`${field}: ${JSON.stringify(path)} must be an absolute path without .. or control characters.`, {
      field,
    });
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export function assertPaths(paths: readonly string[] | undefined, field: string): string[] {
  if (!paths || paths.length === 0) throw invalidInput(`${field}: name at least one folder or file.`, { field });
  if (paths.length > 100) throw invalidInput(`${field}: at most 100 paths.`, { field });
  const out = [...new Set(paths.map((p) => assertPath(p, field)))];
  if (out.includes('/'))
    throw invalidInput(`${field}: back up chosen folders, not the whole file system (/).`, { field });
  return out.sort();
}

export function assertExcludes(excludes: readonly string[] | undefined): string[] {
  const list = excludes ?? [];
  if (list.length > 100) throw invalidInput('excludes: at most 100 patterns.', { field: 'excludes' });
  for (const e of list)
    if (e.length === 0 || e.length > 512 || /\p{Cc}/u.test(e))
      throw invalidInput(`excludes: ${JSON.stringify(e)} is not a usable pattern.`, { field: 'excludes' });
  return [...new Set(list)];
}

export function assertInterval(minutes: number | undefined): number {
  const m = minutes ?? DEFAULT_INTERVAL_MINUTES;
  if (!Number.isInteger(m) || m < MIN_INTERVAL_MINUTES || m > MAX_INTERVAL_MINUTES)
    throw invalidInput(`everyMinutes must be a whole number from ${MIN_INTERVAL_MINUTES} to ${MAX_INTERVAL_MINUTES}.`, {
      field: 'everyMinutes',
    });
  return m;
}

export function keepRules(keep: Partial<KeepRules> | undefined, base: KeepRules = DEFAULT_KEEP): KeepRules {
  const out = { ...base, ...keep };
  for (const [k, v] of Object.entries(out))
    if (!Number.isInteger(v) || v < 0 || v > 1000)
      throw invalidInput(`keep.${k} must be a whole number from 0 to 1000.`, { field: `keep.${k}` });
  if (out.last + out.daily + out.weekly + out.monthly === 0)
    throw invalidInput('keep: keep at least one restore point (for example keep.last = 1).', { field: 'keep' });
  return out;
}

/** restic forget's keep options for a plan's rules. */
export function forgetArgs(keep: KeepRules): string[] {
  const out: string[] = [];
  if (keep.last > 0) out.push('--keep-last', String(keep.last));
  if (keep.daily > 0) out.push('--keep-daily', String(keep.daily));
  if (keep.weekly > 0) out.push('--keep-weekly', String(keep.weekly));
  if (keep.monthly > 0) out.push('--keep-monthly', String(keep.monthly));
  return out;
}

/**
 * The `password=` line of a MySQL option file, quoted so any password reads back as given. Option files take
 * backslash escapes inside quotes; a password holding both quote characters cannot be written safely.
 */
export function optionFilePasswordLine(password: string): string {
  if (/[\r\n]/.test(password) || password.includes('\0'))
    throw invalidInput('The database password cannot contain line breaks.', { field: 'dbPassword' });
  const escaped = password.replaceAll('\\', '\\\\');
  if (!password.includes('"')) return `password="${escaped}"`;
  if (!password.includes("'")) return `password='${escaped}'`;
  throw invalidInput('A MySQL password holding both kinds of quote cannot be passed safely; change it first.', {
    field: 'dbPassword',
  });
}

/** The file name a plan's data has inside each restore point. */
export const entryOf = (plan: { kind: string; database: string | null }): string =>
  plan.kind === 'files' ? 'files.tar' : `${plan.database ?? 'database'}.sql`;

/** A backup is late when no good one came for two intervals and an hour. */
export function isLate(
  plan: { enabled: number; interval_minutes: number; last_ok_at: string | null; created_at: string },
  nowMs: number,
): boolean {
  if (plan.enabled !== 1) return false;
  const since = Date.parse(plan.last_ok_at ?? plan.created_at);
  return nowMs - since > (2 * plan.interval_minutes + 60) * 60_000;
}

/** What discovery suggests backing up on a server: each database found, and its web roots and config folders. */
export function proposePlans(
  serverId: string,
  facts: Facts,
  existing: readonly { kind: string; database: string | null; paths: string }[],
): PlanInput[] {
  const out: PlanInput[] = [];
  const hasDb = (kind: string, name: string) => existing.some((p) => p.kind === kind && p.database === name);
  for (const name of facts.serviceConfig.mysql?.databases ?? []) {
    if (SYSTEM_DATABASES.has(name) || !DB_NAME.test(name) || hasDb('mysql', name)) continue;
    out.push({ serverId, kind: 'mysql', database: name, name: `MySQL ${name}`, dbAuth: 'login' });
  }
  for (const name of facts.serviceConfig.postgresql?.databases ?? []) {
    if (SYSTEM_DATABASES.has(name) || !DB_NAME.test(name) || hasDb('postgresql', name)) continue;
    out.push({ serverId, kind: 'postgresql', database: name, name: `PostgreSQL ${name}`, dbAuth: 'login' });
  }
  const covered = new Set(existing.filter((p) => p.kind === 'files').flatMap((p) => JSON.parse(p.paths) as string[]));
  const roots = new Set<string>();
  for (const r of facts.locations.webRoots) roots.add(r);
  for (const a of facts.locations.appFiles) roots.add(a.path);
  for (const s of facts.serviceConfig.webSites) for (const r of s.roots) roots.add(r);
  const configs = ['/etc/nginx', '/etc/apache2', '/etc/mysql', '/etc/postgresql', '/etc/php'].filter(
    (d) =>
      facts.locations.configFiles.some((f) => f.path.startsWith(`${d}/`)) ||
      facts.serviceConfig.webSites.some((s) => s.source.startsWith(`${d}/`)),
  );
  const paths = [...roots, ...configs].filter((p) => {
    try {
      assertPath(p, 'paths');
      return p !== '/' && ![...covered].some((c) => p === c || p.startsWith(`${c}/`));
    } catch {
      return false;
    }
  });
  if (paths.length > 0)
    out.push({ serverId, kind: 'files', name: 'Web roots and configuration', paths: [...new Set(paths)].sort() });
  return out;
}
