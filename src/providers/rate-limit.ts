import { systemClock, type Clock } from '../kernel/clock.js';

/**
 * Paces requests per key (the core keeps one limiter and uses the organisation or account as the key, so one
 * busy customer cannot spend another's provider quota). Drivers call `acquire` before every request they send.
 */
export interface RateLimiter {
  /** Resolves when a request under `key` may be sent. Rejects if `signal` aborts first. */
  acquire(key: string, signal?: AbortSignal): Promise<void>;
}

export interface TokenBucketOptions {
  /** Tokens added per second (the sustained request rate). */
  readonly ratePerSecond: number;
  /** Bucket size (how many requests may go at once after a quiet spell). */
  readonly burst: number;
  readonly clock?: Clock;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Buckets idle this long are forgotten, so the map does not grow with every key ever seen. */
  readonly idleForgetMs?: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** A token bucket per key, refilled continuously. Waiters are served in arrival order per key. */
export class TokenBucketLimiter implements RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #queues = new Map<string, Promise<void>>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #idleForgetMs: number;

  constructor(options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) {
      throw new RangeError('A token bucket needs ratePerSecond > 0 and burst >= 1.');
    }
    this.#rate = options.ratePerSecond;
    this.#burst = options.burst;
    this.#clock = options.clock ?? systemClock;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#idleForgetMs = options.idleForgetMs ?? 10 * 60_000;
  }

  acquire(key: string, signal?: AbortSignal): Promise<void> {
    // Chain per key so concurrent callers take tokens one after another instead of all waking at once.
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const turn = previous.catch(() => undefined).then(() => this.#take(key, signal));
    const settled = turn.catch(() => undefined);
    this.#queues.set(key, settled);
    void settled.then(() => {
      if (this.#queues.get(key) === settled) this.#queues.delete(key);
    });
    return turn;
  }

  /** Tokens currently available for `key` (for tests and metrics). */
  available(key: string): number {
    return this.#refill(key).tokens;
  }

  async #take(key: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const bucket = this.#refill(key);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await this.#sleep(Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000), signal);
    }
  }

  #refill(key: string): Bucket {
    const now = this.#clock.nowMs();
    this.#forgetIdle(now);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = { tokens: this.#burst, updatedMs: now };
      this.#buckets.set(key, bucket);
      return bucket;
    }
    const elapsed = Math.max(0, now - bucket.updatedMs);
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (elapsed / 1000) * this.#rate);
    bucket.updatedMs = now;
    return bucket;
  }

  #forgetIdle(now: number): void {
    if (this.#buckets.size < 1024) return;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updatedMs > this.#idleForgetMs) this.#buckets.delete(key);
    }
  }
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
