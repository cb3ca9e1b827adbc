import { abortableSleep } from './rate-limit.js';

/** Bounded retries with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  readonly maxAttempts: number;
  /** First backoff ceiling for server errors; doubles per retry. */
  readonly baseDelayMs: number;
  /** First backoff ceiling after throttling, which deserves a longer pause. */
  readonly throttleBaseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  throttleBaseDelayMs: 500,
  maxDelayMs: 20_000,
};

/** How a failed attempt should be treated. */
export type RetryVerdict = 'throttled' | 'transient' | 'final';

export interface RetryDeps {
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly signal?: AbortSignal;
}

/** The delay before retry number `retry` (0-based): uniform in [0, min(max, base·2^retry)). */
export function backoffDelay(retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** retry));
}

/**
 * Runs `attempt` until it succeeds, fails finally, or the attempts run out; the last error is rethrown as is
 * (the caller's classifier has already turned it into the right normalised error).
 */
export async function withRetry<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  classify: (err: unknown) => RetryVerdict,
  policy: RetryPolicy,
  deps: RetryDeps = {},
): Promise<T> {
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const verdict = classify(err);
      if (verdict === 'final' || n >= policy.maxAttempts || deps.signal?.aborted) throw err;
      const base = verdict === 'throttled' ? policy.throttleBaseDelayMs : policy.baseDelayMs;
      await sleep(backoffDelay(n - 1, base, policy.maxDelayMs, random), deps.signal);
    }
  }
}
