/** Small helpers the parsers share. None of them throws. */

/** Splits text into lines, dropping a trailing CR from each and a final empty line. */
export function splitLines(text: string | null | undefined): string[] {
  if (!text) return [];
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A non-negative whole number, or null. */
export function toInt(s: string | undefined | null): number | null {
  if (s == null || !/^\d{1,15}$/.test(s.trim())) return null;
  return Number(s.trim());
}

/** A finite decimal number, or null. */
export function toNumber(s: string | undefined | null): number | null {
  if (s == null || !/^-?\d+(?:\.\d+)?$/.test(s.trim())) return null;
  const n = Number(s.trim());
  return Number.isFinite(n) ? n : null;
}

/** Splits on runs of blanks, with no empty words. */
export function words(line: string): string[] {
  return line
    .trim()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

/** A TCP/UDP port number, or null. */
export function toPort(s: string | undefined | null): number | null {
  const n = toInt(s);
  return n !== null && n >= 0 && n <= 65535 ? n : null;
}

/** Sorted copy with duplicates removed. */
export function uniqSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareText);
}

/** Plain code-unit ordering, the same on every machine (localeCompare is not). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Strips one pair of matching single or double quotes. */
export function unquote(s: string): string {
  if (s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0]) return s.slice(1, -1);
  return s;
}

/** `yes`/`no` as sshd and friends print them. */
export function yesNo(s: string | undefined | null): boolean | null {
  if (s == null) return null;
  const v = s.trim().toLowerCase();
  if (v === 'yes' || v === 'true' || v === 'on') return true;
  if (v === 'no' || v === 'false' || v === 'off') return false;
  return null;
}
