/**
 * Keeps credentials out of the facts. Two layers: `redactArgs` blanks what looks like a password in a command
 * line (process arguments are world-readable on the server, so people do leak them there), and `scrubFacts`
 * removes every value the run found as a secret from every string in the facts, wherever it turned up
 * (a log line, a process argument, a setting).
 */
import type { Facts, FoundSecret } from './facts.js';

const REDACTED = '[redacted]';

const ARG_PATTERNS: [RegExp, string][] = [
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)[^\s/@]+@/gi, `$1${REDACTED}@`],
  // --password=x, --pass x, -p x is ambiguous (a port for many tools), so only mysql's glued -pSECRET form
  [/(--?(?:password|passwd|pass|pwd|token|secret|api[-_]?key|auth)(?:=|\s+))("[^"]*"|'[^']*'|\S+)/gi, `$1${REDACTED}`],
  [/(\b(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^|;]*?\s-p)(?!\s)(\S+)/g, `$1${REDACTED}`],
  // NAME_PASSWORD=value, TOKEN=value in env-style arguments
  [
    /(\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|APIKEY|PRIVATE_KEY)[A-Z0-9_]*=)("[^"]*"|'[^']*'|\S+)/g,
    `$1${REDACTED}`,
  ],
];

/** A command line with likely credentials replaced by `[redacted]`. */
export function redactArgs(args: string): string {
  let out = args;
  for (const [re, to] of ARG_PATTERNS) out = out.replace(re, to);
  return out;
}

/** Secret values shorter than this are not searched for (a 3-character password would match everywhere). */
export const MIN_SCRUB_LENGTH = 4;
const SCRUBBED = '[secret]';

function scrubString(s: string, values: readonly string[]): string {
  let out = s;
  for (const v of values) if (out.includes(v)) out = out.split(v).join(SCRUBBED);
  return out;
}

function walk(value: unknown, values: readonly string[]): unknown {
  if (typeof value === 'string') return scrubString(value, values);
  if (Array.isArray(value)) return value.map((v) => walk(v, values));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, values);
    return out;
  }
  return value;
}

/**
 * The facts with every found secret value (and each line of a multi-line value) cut out of every string.
 * Longest values go first so that a secret containing another is removed whole.
 */
export function scrubFacts(facts: Facts, secrets: readonly FoundSecret[]): Facts {
  const values = new Set<string>();
  for (const s of secrets) {
    const v = s.value.reveal();
    for (const part of [v, ...v.split(/\r?\n/).map((l) => l.trim())]) {
      if (part.length >= MIN_SCRUB_LENGTH && !part.startsWith('-----')) values.add(part);
    }
  }
  if (values.size === 0) return facts;
  const ordered = [...values].sort((a, b) => b.length - a.length);
  return walk(facts, ordered) as Facts;
}
