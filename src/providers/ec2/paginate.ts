import { MalformedResponseError } from '../errors.js';

/** Most pages a listing may take; far beyond any real account, it only stops a provider that never ends. */
const MAX_PAGES = 10_000;

/**
 * Collects every page. A provider that hands back a token it already gave would loop forever; that is
 * reported as a malformed answer instead.
 */
export async function collectPages<T>(
  operation: string,
  fetchPage: (token: string | undefined) => Promise<{ items: readonly T[]; next: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetchPage(token);
    items.push(...result.items);
    if (result.next === undefined || result.next === '') return items;
    if (seen.has(result.next)) {
      throw new MalformedResponseError(
        `${operation} returned a page token it had already returned.`,
        { provider: 'ec2', operation },
        result.next,
      );
    }
    seen.add(result.next);
    token = result.next;
  }
  throw new MalformedResponseError(
    `${operation} did not finish after ${MAX_PAGES} pages.`,
    { provider: 'ec2', operation },
    '',
  );
}
