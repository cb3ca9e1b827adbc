import { Ec2Fault } from './faults.js';
import type { FilterSpec, Params } from './params.js';

/** The values a resource has for a filter name; undefined when the filter is not one EC2 knows for it. */
export type FilterFields = (name: string) => readonly string[] | undefined;

function pattern(value: string): RegExp {
  let re = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] ?? '';
    if (c === '\\' && i + 1 < value.length) re += (value[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Throws EC2's error for filter names the resource does not support. */
export function checkFilterNames(filters: readonly FilterSpec[], fields: FilterFields): void {
  for (const f of filters) {
    if (fields(f.name) === undefined) throw new Ec2Fault('InvalidParameterValue', `The filter '${f.name}' is invalid`);
  }
}

/** EC2 semantics: every filter must match (AND); within one filter any value may match (OR); `*` and `?` wildcards. */
export function matchesFilters(filters: readonly FilterSpec[], fields: FilterFields): boolean {
  return filters.every((f) => {
    const have = fields(f.name) ?? [];
    return f.values.some((v) => {
      const re = pattern(v);
      return have.some((h) => re.test(h));
    });
  });
}

/** Values of `tag:Key`, `tag-key` and `tag-value` filters for a resource's tags. */
export function tagField(tags: ReadonlyMap<string, string>, name: string): readonly string[] | undefined {
  if (name.startsWith('tag:')) {
    const v = tags.get(name.slice(4));
    return v === undefined ? [] : [v];
  }
  if (name === 'tag-key') return [...tags.keys()];
  if (name === 'tag-value') return [...tags.values()];
  return undefined;
}

export interface PageLimits {
  readonly min: number;
  readonly max: number;
}

/**
 * One page of `all` by `MaxResults`/`NextToken`. Tokens are opaque to clients; inside they hold the offset and
 * which listing they belong to, so a token from another call is refused.
 */
export function page<T>(
  all: readonly T[],
  p: Params,
  listing: string,
  limits: PageLimits,
): { items: T[]; nextToken: string | undefined } {
  const max = p.int('MaxResults', limits.min, limits.max);
  const token = p.str('NextToken');
  let offset = 0;
  if (token !== undefined && token !== '') {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { l?: unknown; o?: unknown };
      if (decoded.l !== listing || typeof decoded.o !== 'number' || !Number.isInteger(decoded.o) || decoded.o < 0)
        throw new Error('foreign token');
      offset = decoded.o;
    } catch {
      throw new Ec2Fault('InvalidPaginationToken', 'The specified pagination token is not valid');
    }
  }
  if (max === undefined && offset === 0) return { items: [...all], nextToken: undefined };
  const size = max ?? limits.max;
  const items = all.slice(offset, offset + size);
  const next =
    offset + size < all.length
      ? Buffer.from(JSON.stringify({ l: listing, o: offset + size })).toString('base64url')
      : undefined;
  return { items, nextToken: next };
}
