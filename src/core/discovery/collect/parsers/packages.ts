/**
 * Installed packages from the three package managers Steward knows:
 * - `dpkg-query -W -f='${Status}\t${Package}\t${Version}\t${Architecture}\n'` (installed = status ends "installed");
 * - `rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}-%{RELEASE}\t%{ARCH}\n'` (EPOCH prints `(none)` when unset);
 * - apk's database /lib/apk/db/installed (`P:` name, `V:` version, `A:` arch per package), or `apk info -v`.
 */
import type { Package } from '../facts.js';

export function parseDpkg(lines: readonly string[]): Package[] {
  const out: Package[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    if (f.length < 4) continue;
    const [status = '', name = '', version = '', arch = ''] = f;
    // "install ok installed" and "hold ok installed" count; half-installed or config-files do not.
    if (!/\sinstalled$/.test(status.trim()) || !name || !version) continue;
    out.push({ name, version, arch: arch || null, manager: 'dpkg' });
  }
  return out;
}

export function parseRpm(lines: readonly string[]): Package[] {
  const out: Package[] = [];
  for (const line of lines) {
    const f = line.split('\t');
    if (f.length < 4) continue;
    const [name = '', epoch = '', version = '', arch = ''] = f;
    if (!name || !version || name.includes(' ')) continue;
    const e = /^\d+$/.test(epoch) && epoch !== '0' ? `${epoch}:` : '';
    out.push({ name, version: `${e}${version}`, arch: arch && arch !== '(none)' ? arch : null, manager: 'rpm' });
  }
  return out;
}

/** The apk installed database, reduced to its `P:`, `V:` and `A:` lines. */
export function parseApkDb(lines: readonly string[]): Package[] {
  const out: Package[] = [];
  let cur: { name?: string; version?: string; arch?: string } = {};
  const flush = (): void => {
    if (cur.name && cur.version)
      out.push({ name: cur.name, version: cur.version, arch: cur.arch ?? null, manager: 'apk' });
    cur = {};
  };
  for (const line of lines) {
    if (line.startsWith('P:')) {
      flush();
      cur.name = line.slice(2).trim();
    } else if (line.startsWith('V:')) cur.version = line.slice(2).trim();
    else if (line.startsWith('A:')) cur.arch = line.slice(2).trim();
  }
  flush();
  return out;
}

/** `apk info -v`: one `name-version-rN` per line; the version is the last two hyphen-separated parts. */
export function parseApkInfo(lines: readonly string[]): Package[] {
  const out: Package[] = [];
  for (const line of lines) {
    const m = /^(\S+)-(\d[^-\s]*-r\d+)$/.exec(line.trim());
    if (!m?.[1] || !m[2]) continue;
    out.push({ name: m[1], version: m[2], arch: null, manager: 'apk' });
  }
  return out;
}
