import { describe, expect, it } from 'vitest';
import { Params, paramTree } from './params.js';
import { checkFilterNames, matchesFilters, page } from './query.js';

const fields = (name: string) =>
  (({ 'tag:Name': ['web-1'], 'instance-state-name': ['running'] }) as Record<string, string[]>)[name];

describe('filters', () => {
  it('ANDs filters, ORs values, and understands wildcards and escapes', () => {
    expect(
      matchesFilters(
        [
          { name: 'tag:Name', values: ['web-?'] },
          { name: 'instance-state-name', values: ['stopped', 'running'] },
        ],
        fields,
      ),
    ).toBe(true);
    expect(matchesFilters([{ name: 'tag:Name', values: ['db*'] }], fields)).toBe(false);
    expect(matchesFilters([{ name: 'tag:Name', values: ['web\\*'] }], fields)).toBe(false);
  });

  it('refuses unknown filter names', () => {
    expect(() => checkFilterNames([{ name: 'flavour', values: ['x'] }], fields)).toThrow(
      "The filter 'flavour' is invalid",
    );
  });
});

describe('pagination', () => {
  const all = Array.from({ length: 12 }, (_, i) => i);
  const params = (q: string) => new Params(paramTree(new URLSearchParams(q)));

  it('pages with opaque tokens until the end', () => {
    const first = page(all, params('MaxResults=5'), 'things', { min: 5, max: 1000 });
    expect(first.items).toEqual([0, 1, 2, 3, 4]);
    const second = page(all, params(`MaxResults=5&NextToken=${first.nextToken}`), 'things', { min: 5, max: 1000 });
    const third = page(all, params(`MaxResults=5&NextToken=${second.nextToken}`), 'things', { min: 5, max: 1000 });
    expect(third).toEqual({ items: [10, 11], nextToken: undefined });
  });

  it('returns everything without MaxResults and refuses foreign tokens', () => {
    expect(page(all, params(''), 'things', { min: 5, max: 1000 }).items).toHaveLength(12);
    const token = page(all, params('MaxResults=5'), 'things', { min: 5, max: 1000 }).nextToken;
    expect(() => page(all, params(`NextToken=${token}`), 'others', { min: 5, max: 1000 })).toThrow('pagination token');
    expect(() => page(all, params('NextToken=garbage'), 'things', { min: 5, max: 1000 })).toThrow('pagination token');
  });
});
