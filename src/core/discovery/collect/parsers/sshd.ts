/**
 * sshd settings, from `sshd -T` (lower-case `key value` lines, the effective configuration) or, when that
 * cannot run, from sshd_config and its drop-ins (first value of a keyword wins, as sshd_config(5) says;
 * Match blocks are skipped because they apply only to some connections).
 */
import type { SshdConfig } from '../facts.js';
import { toInt, toPort, words, yesNo } from './util.js';

const MULTI = new Set(['port', 'listenaddress', 'allowusers', 'allowgroups']);

/** Keyword → values; repeatable keywords collect every value, the others keep the first. */
function settings(lines: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let inMatch = false;
  for (const raw of lines) {
    const line = raw.replace(/#.*$/, '').trim();
    const m = /^(\S+?)(?:\s*=\s*|\s+)(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1].toLowerCase();
    if (key === 'match') inMatch = true;
    if (inMatch) continue;
    const value = (m[2] ?? '').trim();
    const prev = out.get(key);
    if (!prev) out.set(key, [value]);
    else if (MULTI.has(key)) prev.push(value);
  }
  return out;
}

function build(map: Map<string, string[]>, source: SshdConfig['source']): SshdConfig {
  const one = (k: string): string | null => map.get(k)?.[0] ?? null;
  const ports = (map.get('port') ?? []).map((p) => toPort(p)).filter((p): p is number => p !== null);
  return {
    source,
    ports: ports.length > 0 ? [...new Set(ports)].sort((a, b) => a - b) : source === 'sshd_config' ? [22] : [],
    permitRootLogin: one('permitrootlogin'),
    passwordAuthentication: yesNo(one('passwordauthentication')),
    pubkeyAuthentication: yesNo(one('pubkeyauthentication')),
    permitEmptyPasswords: yesNo(one('permitemptypasswords')),
    kbdInteractiveAuthentication: yesNo(one('kbdinteractiveauthentication') ?? one('challengeresponseauthentication')),
    x11Forwarding: yesNo(one('x11forwarding')),
    maxAuthTries: toInt(one('maxauthtries')),
    allowUsers: (map.get('allowusers') ?? []).flatMap((v) => words(v)).sort(),
    allowGroups: (map.get('allowgroups') ?? []).flatMap((v) => words(v)).sort(),
  };
}

export function parseSshdT(lines: readonly string[]): SshdConfig | null {
  const map = settings(lines);
  if (map.size === 0) return null;
  return build(map, 'sshd -T');
}

/** sshd_config text from several files in the order sshd reads them (drop-ins are Included first on Debian). */
export function parseSshdConfig(contents: readonly string[]): SshdConfig | null {
  const lines = contents.flatMap((c) => c.split('\n'));
  const map = settings(lines);
  if (map.size === 0) return null;
  return build(map, 'sshd_config');
}
