/**
 * The sandbox's own reading and writing of ElasticStack bodies (independent of the driver's, so each checks
 * the other). Records are ordered string maps; JSON output turns the platform's numeric and multi-valued keys
 * into numbers and arrays the way recorded answers show them.
 */

export type Row = Map<string, string>;

export class UsageError extends Error {}

export function parseTextBody(body: string): Row {
  const row: Row = new Map();
  for (const raw of body.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      if (row.size > 0) break;
      continue;
    }
    const space = line.indexOf(' ');
    row.set(
      space === -1 ? line : line.slice(0, space),
      (space === -1 ? '' : line.slice(space + 1)).replace(/\\n/g, '\n'),
    );
  }
  return row;
}

export function parseJsonBody(body: string): Row {
  if (body.trim() === '') return new Map();
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new UsageError('request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError('request body must be a JSON object');
  const row: Row = new Map();
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) throw new UsageError(`value of ${k} must not be an object`);
    row.set(k, Array.isArray(v) ? v.map(String).join(' ') : String(v));
  }
  return row;
}

const NUMERIC = new Set(['cpu', 'mem', 'size', 'rawsize', 'started', 'rx', 'tx', 'rx:packets', 'tx:packets']);
const LISTS = new Set(['nic:0:dhcp:ip', 'claimed', 'tags', 'readers']);

function jsonValue(key: string, value: string): unknown {
  if (LISTS.has(key)) return value.split(' ').filter((v) => v !== '');
  if ((NUMERIC.has(key) || key === 'smp') && /^\d+$/.test(value)) return Number(value);
  return value;
}

const rowJson = (row: Row): Record<string, unknown> =>
  Object.fromEntries([...row].map(([k, v]) => [k, jsonValue(k, v)]));

const rowText = (row: Row): string => [...row].map(([k, v]) => `${k} ${v.replace(/\r?\n/g, '\\n')}`).join('\n');

export function renderOne(row: Row, json: boolean): string {
  return json ? JSON.stringify(rowJson(row)) : `${rowText(row)}\n`;
}

export function renderMany(rows: readonly Row[], json: boolean): string {
  return json ? JSON.stringify(rows.map(rowJson)) : rows.map((r) => `${rowText(r)}\n`).join('\n');
}

export function renderIds(ids: readonly string[], json: boolean): string {
  return json ? JSON.stringify(ids) : ids.map((id) => `${id}\n`).join('');
}
