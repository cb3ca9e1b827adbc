/**
 * redis.conf: one directive per line, arguments split like redis-server does (double quotes with \n, \t, \xHH,
 * \" and \\ escapes; single quotes with \' only). Secrets: `requirepass`, `masterauth`, and `>password`
 * arguments of `user` ACL lines.
 */
import { splitLines } from './util.js';

export interface RedisDirective {
  readonly name: string;
  readonly args: string[];
  readonly line: number;
}

/** Redis-style argument splitting; an unbalanced quote makes the line unreadable (null), as it does for Redis. */
export function splitRedisArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] ?? '')) i++;
    if (i >= line.length) break;
    let cur = '';
    const q = line[i];
    if (q === '"' || q === "'") {
      i++;
      let closed = false;
      while (i < line.length) {
        const c = line[i] ?? '';
        if (q === '"' && c === '\\' && i + 1 < line.length) {
          const n = line[i + 1] ?? '';
          const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(i + 1, i + 4));
          if (hex?.[1]) {
            cur += String.fromCharCode(parseInt(hex[1], 16));
            i += 4;
            continue;
          }
          cur += ({ n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' } as Record<string, string>)[n] ?? n;
          i += 2;
          continue;
        }
        if (q === "'" && c === '\\' && line[i + 1] === "'") {
          cur += "'";
          i += 2;
          continue;
        }
        if (c === q) {
          closed = true;
          i++;
          break;
        }
        cur += c;
        i++;
      }
      // Redis wants a space (or the end) after a closing quote.
      if (!closed || (i < line.length && !/\s/.test(line[i] ?? ''))) return null;
    } else {
      while (i < line.length && !/\s/.test(line[i] ?? '')) cur += line[i++] ?? '';
    }
    out.push(cur);
  }
  return out;
}

export function parseRedisConf(content: string | null): RedisDirective[] {
  const out: RedisDirective[] = [];
  for (const [i, raw] of splitLines(content).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const args = splitRedisArgs(line);
    if (!args || args.length === 0 || !args[0]) continue;
    out.push({ name: args[0].toLowerCase(), args: args.slice(1), line: i + 1 });
  }
  return out;
}
