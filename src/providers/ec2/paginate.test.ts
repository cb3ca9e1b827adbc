import { describe, expect, it } from 'vitest';
import { MalformedResponseError } from '../errors.js';
import { collectPages } from './paginate.js';

describe('collectPages', () => {
  it('follows tokens to the end', async () => {
    const pages: Record<string, { items: number[]; next: string | undefined }> = {
      start: { items: [1, 2], next: 'b' },
      b: { items: [3], next: 'c' },
      c: { items: [], next: '' },
    };
    expect(await collectPages('List', async (t) => pages[t ?? 'start'] ?? { items: [], next: undefined })).toEqual([
      1, 2, 3,
    ]);
  });

  it('refuses a provider that hands back a token twice', async () => {
    await expect(collectPages('List', async () => ({ items: [1], next: 'same' }))).rejects.toBeInstanceOf(
      MalformedResponseError,
    );
  });
});
