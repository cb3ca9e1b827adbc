/**
 * sudoers(5) user specifications and aliases, and doas.conf(5) rules. Only what says who may act as whom is
 * kept; Defaults and command aliases are read just enough to skip them.
 */
import type { SudoGrant } from '../facts.js';
import { splitLines, words } from './util.js';

export interface SudoersFile {
  readonly grants: SudoGrant[];
  /** User_Alias name → members. */
  readonly userAliases: Map<string, string[]>;
  /** `@includedir`/`#includedir` and `@include`/`#include` targets. */
  readonly includes: string[];
}

/** Joins backslash continuations and drops comments (but not `#include`, and not `#1000` uids). */
function logicalLines(content: string | null): string[] {
  const out: string[] = [];
  let buf = '';
  for (const raw of splitLines(content)) {
    if (raw.endsWith('\\')) {
      buf += `${raw.slice(0, -1)} `;
      continue;
    }
    out.push(buf + raw);
    buf = '';
  }
  if (buf) out.push(buf);
  return out
    .map((l) => {
      if (/^\s*#include(dir)?\s/.test(l)) return l.trim();
      return l.replace(/(^|\s)#(?!\d).*$/, '').trim();
    })
    .filter((l) => l.length > 0);
}

const ALIAS = /^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\s+(.*)$/;

export function parseSudoers(content: string | null, source: string): SudoersFile {
  const grants: SudoGrant[] = [];
  const userAliases = new Map<string, string[]>();
  const includes: string[] = [];
  for (const line of logicalLines(content)) {
    const inc = /^[@#]include(dir)?\s+(.+)$/.exec(line);
    if (inc?.[2]) {
      includes.push(inc[2].trim());
      continue;
    }
    if (/^Defaults([@:!>\s]|$)/.test(line)) continue;
    const alias = ALIAS.exec(line);
    if (alias) {
      if (alias[1] === 'User_Alias') {
        for (const def of (alias[2] ?? '').split(':')) {
          const m = /^\s*([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(def);
          if (m?.[1])
            userAliases.set(
              m[1],
              (m[2] ?? '')
                .split(',')
                .map((s) => s.trim())
                .filter(Boolean),
            );
        }
      }
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const lhs = words(line.slice(0, eq).replace(/\s*,\s*/g, ','));
    if (lhs.length !== 2) continue;
    const [userList = '', hosts = ''] = lhs;
    let rhs = line.slice(eq + 1).trim();
    let runAs: string | null = null;
    const ra = /^\(([^)]*)\)\s*/.exec(rhs);
    if (ra) {
      runAs = (ra[1] ?? '').trim();
      rhs = rhs.slice(ra[0].length);
    }
    const noPassword = /(^|\s)NOPASSWD:/.test(rhs);
    const commands = rhs
      .replace(
        /(^|\s)(NO)?(PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT|NOEXEC|NOSETENV|NOLOG_INPUT|NOLOG_OUTPUT|NOMAIL|NOFOLLOW|NOINTERCEPT):/g,
        ' ',
      )
      .replace(/\s+/g, ' ')
      .trim();
    for (const raw of userList.split(',')) {
      const p = raw.trim();
      if (!p || p.startsWith('!')) continue;
      const principalType = p.startsWith('%') ? 'group' : /^[A-Z][A-Z0-9_]*$/.test(p) && p !== 'ALL' ? 'alias' : 'user';
      const principal = p.replace(/^%:?/, '');
      grants.push({ principalType, principal, hosts, runAs, commands, noPassword, via: 'sudo', source });
    }
  }
  return { grants, userAliases, includes };
}

/** `permit [options] identity [as target] [cmd command [args ...]]`; `deny` rules grant nothing. */
export function parseDoas(content: string | null, source: string): SudoGrant[] {
  const out: SudoGrant[] = [];
  for (const raw of splitLines(content)) {
    const line = raw.replace(/#.*$/, '').trim();
    const w = words(line.replace(/\{[^}]*\}/g, ' '));
    if (w[0] !== 'permit') continue;
    let i = 1;
    let noPassword = false;
    while (i < w.length && ['nopass', 'persist', 'keepenv', 'nolog', 'setenv'].includes(w[i] ?? '')) {
      if (w[i] === 'nopass') noPassword = true;
      i++;
    }
    const identity = w[i];
    if (!identity) continue;
    const asIdx = w.indexOf('as', i + 1);
    const cmdIdx = w.indexOf('cmd', i + 1);
    out.push({
      principalType: identity.startsWith(':') ? 'group' : 'user',
      principal: identity.replace(/^:/, ''),
      hosts: 'ALL',
      runAs: asIdx > 0 ? (w[asIdx + 1] ?? null) : 'root',
      commands: cmdIdx > 0 ? w.slice(cmdIdx + 1).join(' ') : 'ALL',
      noPassword,
      via: 'doas',
      source,
    });
  }
  return out;
}

/** sudo ignores files in an included directory whose names end in `~` or contain a `.`. */
export function sudoIncludesFile(path: string): boolean {
  const base = path.replace(/^.*\//, '');
  return !base.endsWith('~') && !base.includes('.');
}
