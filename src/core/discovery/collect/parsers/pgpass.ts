/** ~/.pgpass: `hostname:port:database:username:password`, `\:` and `\\` escaped, `#` comment lines. */
import { splitLines } from './util.js';

export interface PgpassEntry {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly line: number;
}

/** Splits on unescaped colons into at most five fields, undoing the escapes. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === '\\' && i + 1 < line.length) {
      cur += line[i + 1] ?? '';
      i++;
    } else if (c === ':' && out.length < 4) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export function parsePgpass(content: string | null): PgpassEntry[] {
  const out: PgpassEntry[] = [];
  for (const [i, line] of splitLines(content).entries()) {
    if (!line.trim() || line.startsWith('#')) continue;
    const f = fields(line);
    if (f.length !== 5) continue;
    const [host = '', port = '', database = '', user = '', password = ''] = f;
    if (!password) continue;
    out.push({ host, port, database, user, password, line: i + 1 });
  }
  return out;
}
