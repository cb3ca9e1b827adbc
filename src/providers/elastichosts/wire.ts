/**
 * The ElasticStack body formats. Both are read into the same shape: a record of string values, multi-valued
 * keys space-separated (as text/plain sends them), so the rest of the driver never sees the difference.
 */

export type ElasticRecord = Readonly<Record<string, string>>;

/** Bodies are text/plain (`key value` lines, objects separated by blank lines) or JSON. */
export type WireFormat = 'text' | 'json';

export class WireError extends Error {}

// Newlines inside values travel as the two characters `\n`.
const unescapeValue = (v: string): string => v.replace(/\\n/g, '\n');
const escapeValue = (v: string): string => v.replace(/\r?\n/g, '\\n');

/** Parses text/plain records; tolerates `\r`, leading and trailing blank lines and a missing final newline. */
export function parseTextRecords(body: string): ElasticRecord[] {
  const records: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    const space = line.indexOf(' ');
    const key = space === -1 ? line : line.slice(0, space);
    const value = space === -1 ? '' : line.slice(space + 1);
    if (current === undefined) {
      current = {};
      records.push(current);
    }
    // A key repeated within one object is a list written a line at a time (`ip 1.2.3.4` per address).
    const previous = current[key];
    current[key] = previous === undefined ? unescapeValue(value) : `${previous} ${unescapeValue(value)}`;
  }
  return records;
}

/** Parses a list of ids (one per line; extra columns after the id are ignored). */
export function parseIdList(body: string): string[] {
  return body
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((id) => id !== '');
}

function coerce(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value))
    return value
      .map((v) => coerce(v) ?? '')
      .filter((v) => v !== '')
      .join(' ');
  if (typeof value === 'object') throw new WireError('a value is an object');
  return String(value);
}

function recordFromJson(value: unknown): ElasticRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new WireError('expected a JSON object');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = coerce(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/** Parses a JSON body (one object or an array of objects) with every value coerced to a string. */
export function parseJsonRecords(body: string): ElasticRecord[] {
  if (body.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new WireError('the body is not valid JSON');
  }
  return Array.isArray(value) ? value.map(recordFromJson) : [recordFromJson(value)];
}

export function parseRecords(body: string, format: WireFormat): ElasticRecord[] {
  return format === 'json' ? parseJsonRecords(body) : parseTextRecords(body);
}

// Sent as JSON numbers, as the recorded clients do; everything else is a string.
const NUMERIC_KEYS = new Set(['cpu', 'mem', 'size']);

export function serializeRecord(record: ElasticRecord, format: WireFormat): string {
  if (format === 'json') {
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(record)) out[k] = NUMERIC_KEYS.has(k) && /^\d+$/.test(v) ? Number(v) : v;
    return JSON.stringify(out);
  }
  return (
    Object.entries(record)
      .map(([k, v]) => `${k} ${escapeValue(v)}`)
      .join('\n') + '\n'
  );
}

/** The values of a multi-valued key (`tags`, `claimed`, `nic:0:dhcp:ip` …). */
export function multi(record: ElasticRecord, key: string): string[] {
  const v = record[key];
  return v === undefined ? [] : v.split(/\s+/).filter((x) => x !== '');
}
