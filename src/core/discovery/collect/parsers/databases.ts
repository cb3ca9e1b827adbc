/**
 * Database servers: what the script's queries printed (`mysql -N -B` tab-separated rows, `psql -XAtq -F '|'`
 * pipe-separated rows) and grep lines from their configuration files (`FILE:setting = value`).
 */
import type { DbAdmin, HbaRule } from '../facts.js';
import { splitLines, unquote, words } from './util.js';

/** `User  Host  Super_priv  Grant_priv` rows. An account with SUPER or GRANT is an administrator. */
export function parseMysqlUsers(lines: readonly string[]): DbAdmin[] {
  const out: DbAdmin[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    if (f.length < 4) continue;
    const [name = '', host = '', superPriv, grantPriv] = f;
    if (!name && !host) continue;
    const superuser = superPriv === 'Y' || grantPriv === 'Y';
    out.push({
      engine: 'mysql',
      name,
      host,
      superuser,
      canLogin: null,
      source: 'query',
      detail: superuser ? privDetail(superPriv, grantPriv) : null,
    });
  }
  return out;
}

function privDetail(superPriv: string | undefined, grantPriv: string | undefined): string {
  return [superPriv === 'Y' ? 'SUPER' : '', grantPriv === 'Y' ? 'GRANT' : ''].filter(Boolean).join(', ');
}

/** `rolname|rolsuper|rolcreaterole|rolcreatedb|rolcanlogin|rolreplication` rows (booleans as t/f). */
export function parsePgRoles(lines: readonly string[]): DbAdmin[] {
  const out: DbAdmin[] = [];
  for (const line of lines) {
    const f = line.split('|');
    if (f.length < 6 || !f[0]) continue;
    const [name, sup, createRole, createDb, canLogin, repl] = f;
    const flags = [
      sup === 't' ? 'SUPERUSER' : '',
      createRole === 't' ? 'CREATEROLE' : '',
      createDb === 't' ? 'CREATEDB' : '',
      repl === 't' ? 'REPLICATION' : '',
    ].filter(Boolean);
    out.push({
      engine: 'postgresql',
      name: name ?? '',
      host: null,
      superuser: sup === 't',
      canLogin: canLogin === 't',
      source: 'query',
      detail: flags.join(', ') || null,
    });
  }
  return out;
}

/** Two-column rows (`name<TAB>value` from MySQL, `name|value` from psql) into a map. */
export function parsePairs(lines: readonly string[], separator: '\t' | '|'): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(separator);
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

export function parseNameList(lines: readonly string[]): string[] {
  return lines.map((l) => l.trim()).filter((l) => l.length > 0 && !/\s/.test(l));
}

/**
 * `FILE:[section]` and `FILE:key = value` grep lines from my.cnf files, and `FILE:key = value # comment` from
 * postgresql.conf: settings of the server section (`[mysqld]`, `[mariadb]`, `[server]`…) or of the whole file.
 */
export function parseConfGrep(lines: readonly string[], serverSections: readonly string[] | null): Map<string, string> {
  const out = new Map<string, string>();
  const sectionByFile = new Map<string, string>();
  for (const line of lines) {
    const m = /^(.+?):(.*)$/.exec(line);
    if (!m?.[1] || m[2] === undefined) continue;
    const text = m[2].replace(/\s+#.*$/, '').trim();
    const sec = /^\[([^\]]+)\]/.exec(text);
    if (sec?.[1]) {
      sectionByFile.set(m[1], sec[1].trim().toLowerCase());
      continue;
    }
    if (serverSections && !serverSections.includes(sectionByFile.get(m[1]) ?? '')) continue;
    const kv = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(.*)$/.exec(text);
    if (!kv?.[1]) continue;
    out.set(kv[1].toLowerCase().replace(/-/g, '_'), unquote((kv[2] ?? '').trim()));
  }
  return out;
}

export const MYSQL_SERVER_SECTIONS = ['mysqld', 'mariadb', 'server', 'mariadbd', 'mysqld_safe'];

/** pg_hba.conf records (local/host/hostssl/hostnossl/hostgssenc/hostnogssenc); options after the method are dropped. */
export function parsePgHba(content: string | null, source: string): HbaRule[] {
  const out: HbaRule[] = [];
  for (const raw of splitLines(content)) {
    const w = words(raw.replace(/#.*$/, ''));
    const type = w[0];
    if (!type || !/^(local|host|hostssl|hostnossl|hostgssenc|hostnogssenc)$/.test(type)) continue;
    if (type === 'local') {
      if (w.length < 4) continue;
      out.push({ type, database: w[1] ?? '', user: w[2] ?? '', address: null, method: w[3] ?? '', source });
      continue;
    }
    if (w.length < 5) continue;
    // An address may be written as `address mask` (two words) instead of CIDR.
    const maskForm = /^\d+\.\d+\.\d+\.\d+$/.test(w[3] ?? '') && /^\d+\.\d+\.\d+\.\d+$/.test(w[4] ?? '');
    const address = maskForm ? `${w[3]} ${w[4]}` : (w[3] ?? '');
    const method = maskForm ? (w[5] ?? '') : (w[4] ?? '');
    if (!method) continue;
    out.push({ type, database: w[1] ?? '', user: w[2] ?? '', address, method, source });
  }
  return out;
}

/** `FILE:  key: value` grep lines from mongod.conf (YAML). */
export function parseMongodGrep(lines: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = /^.+?:\s*([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
    if (m?.[1]) out.set(m[1], unquote((m[2] ?? '').replace(/\s+#.*$/, '').trim()));
  }
  return out;
}

export function listenList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}
