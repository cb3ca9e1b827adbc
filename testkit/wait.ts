import { setTimeout as sleep } from 'node:timers/promises';

export interface UntilOptions {
  /** How long to keep trying before failing (default 60 s). */
  readonly timeoutMs?: number;
  /** Pause between tries (default 100 ms). */
  readonly everyMs?: number;
}

/**
 * The one wait of the test suite: calls `fn` until it gives a value other than `undefined` or `false`, and
 * returns it (so a condition reads `until('…', async () => cond)`).
 * It never ends quietly: when the time runs out it throws, naming what it waited for and the last error `fn`
 * threw (an error whose `final` property is true is thrown at once). A test that waits therefore either gets
 * the value it asserts on or fails.
 */
export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  options: UntilOptions = {},
): Promise<Exclude<T, false>> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const everyMs = options.everyMs ?? 100;
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined && value !== false) return value as Exclude<T, false>;
    } catch (err) {
      if ((err as { final?: boolean }).final === true) throw err;
      last = err;
    }
    if (Date.now() > end) {
      const why = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(everyMs);
  }
}
