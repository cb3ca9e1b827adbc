/** /etc/os-release (systemd's os-release(5) format: KEY=value, value optionally quoted with shell escapes). */
import type { OsFamily } from '../facts.js';
import { splitLines } from './util.js';

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

/** The distribution family from os-release `ID` and `ID_LIKE`. */
export function osFamily(id: string | null, idLike: readonly string[]): OsFamily {
  const all = [id ?? '', ...idLike].map((s) => s.toLowerCase());
  if (all.some((s) => s === 'debian' || s === 'ubuntu')) return 'debian';
  if (all.some((s) => ['rhel', 'fedora', 'centos', 'rocky', 'almalinux', 'amzn', 'ol'].includes(s))) return 'rhel';
  if (all.includes('alpine')) return 'alpine';
  if (all.some((s) => s === 'suse' || s.startsWith('opensuse') || s === 'sles')) return 'suse';
  if (all.includes('arch')) return 'arch';
  return 'other';
}
