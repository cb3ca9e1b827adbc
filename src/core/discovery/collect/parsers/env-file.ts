/**
 * dotenv files (`.env`): `KEY=value`, optional `export `, values bare, 'single-quoted' (literal) or
 * "double-quoted" (with \n, \t, \", \\ escapes, and free to span lines, as PEM keys often do). A ` #` after a
 * bare value starts a comment.
 */
import { splitLines } from './util.js';

export interface EnvEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const KEY = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s?(.*)$/;

function unescapeDouble(s: string): string {
  return s.replace(/\\([nrt"\\$])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : c === 't' ? '\t' : c));
}

/** Index of the closing quote in `s` (escapes honoured for double quotes), or -1. */
function closing(s: string, quote: string): number {
  for (let i = 0; i < s.length; i++) {
    if (quote === '"' && s[i] === '\\') {
      i++;
      continue;
    }
    if (s[i] === quote) return i;
  }
  return -1;
}

export function parseEnvFile(content: string | null): EnvEntry[] {
  const lines = splitLines(content);
  const out: EnvEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = KEY.exec(lines[i] ?? '');
    if (!m?.[1]) continue;
    const key = m[1];
    const rest = (m[2] ?? '').replace(/^\s+/, '');
    const q = rest[0];
    if (q === '"' || q === "'" || q === '`') {
      let body = rest.slice(1);
      const start = i;
      let end = closing(body, q);
      // A quoted value may run over several lines; give up after 200 (then it was not a value).
      while (end < 0 && i + 1 < lines.length && i - start < 200) {
        i++;
        body += `\n${lines[i] ?? ''}`;
        end = closing(body, q);
      }
      if (end < 0) {
        i = start;
        continue;
      }
      const raw = body.slice(0, end);
      out.push({ key, value: q === '"' ? unescapeDouble(raw) : raw, line: start + 1 });
      continue;
    }
    out.push({ key, value: rest.replace(/\s+#.*$/, '').trim(), line: i + 1 });
  }
  return out;
}
