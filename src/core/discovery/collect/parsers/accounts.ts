/** /etc/passwd and /etc/group (colon-separated, passwd(5) and group(5)), and the shadow status lines. */
import type { Group, User } from '../facts.js';
import { splitLines, toInt } from './util.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly gecos: string;
  readonly home: string;
  readonly shell: string;
}

const NO_LOGIN = /(?:^|\/)(?:nologin|false|sync|shutdown|halt)$/;

export function parsePasswd(content: string | null): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of splitLines(content)) {
    if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length !== 7) continue;
    const [name = '', , uid, gid, gecos = '', home = '', shell = ''] = f;
    const u = toInt(uid);
    const g = toInt(gid);
    if (!name || u === null || g === null) continue;
    out.push({ name, uid: u, gid: g, gecos, home, shell });
  }
  return out;
}

export function parseGroup(content: string | null): Group[] {
  const out: Group[] = [];
  for (const line of splitLines(content)) {
    if (line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length !== 4) continue;
    const [name = '', , gid, members = ''] = f;
    const g = toInt(gid);
    if (!name || g === null) continue;
    out.push({
      name,
      gid: g,
      members: members
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean)
        .sort(),
    });
  }
  return out;
}

/** `name set|locked|empty`, as the script's awk prints it from /etc/shadow (the hash never leaves the server). */
export function parseShadowStatus(lines: readonly string[]): Map<string, 'set' | 'locked' | 'empty'> {
  const out = new Map<string, 'set' | 'locked' | 'empty'>();
  for (const line of lines) {
    const m = /^(\S+) (set|locked|empty)$/.exec(line.trim());
    if (m?.[1] && m[2]) out.set(m[1], m[2] as 'set' | 'locked' | 'empty');
  }
  return out;
}

export function toUsers(
  entries: readonly PasswdEntry[],
  shadow: ReadonlyMap<string, 'set' | 'locked' | 'empty'>,
): User[] {
  return entries.map((e) => ({
    ...e,
    loginShell: e.shell !== '' && !NO_LOGIN.test(e.shell),
    password: shadow.get(e.name) ?? 'unknown',
  }));
}
