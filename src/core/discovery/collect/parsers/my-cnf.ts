/**
 * MySQL/MariaDB option files (my.cnf, ~/.my.cnf, debian.cnf): `[group]` headings, `name = value` or
 * `name=value`, `#` and `;` comments, values optionally quoted, escapes \b \t \n \r \\ \s.
 */
import { splitLines } from './util.js';

export interface MyCnfOption {
  readonly section: string;
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

function unescape(v: string): string {
  return v.replace(
    /\\([btnrs\\])/g,
    (_, c: string) => ({ b: '\b', t: '\t', n: '\n', r: '\r', s: ' ', '\\': '\\' })[c] ?? c,
  );
}

function value(raw: string): string {
  const v = raw.trim();
  const q = v[0];
  if ((q === '"' || q === "'") && v.length >= 2) {
    const end = v.indexOf(q, 1);
    if (end > 0) return unescape(v.slice(1, end));
  }
  return unescape(v.replace(/\s+[#;].*$/, '').trim());
}

export function parseMyCnf(content: string | null): MyCnfOption[] {
  const out: MyCnfOption[] = [];
  let section = '';
  for (const [i, raw] of splitLines(content).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';') || line.startsWith('!')) continue;
    const sec = /^\[([^\]]*)\]/.exec(line);
    if (sec) {
      section = (sec[1] ?? '').trim().toLowerCase();
      continue;
    }
    const m = /^([A-Za-z0-9_-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m?.[1]) continue;
    out.push({
      section,
      key: m[1].toLowerCase().replace(/_/g, '-'),
      value: m[2] === undefined ? '' : value(m[2]),
      line: i + 1,
    });
  }
  return out;
}
