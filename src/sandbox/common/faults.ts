import { systemClock, type Clock } from '../../kernel/clock.js';

/** Faults a test (or a curious user) can switch on, through the admin API or the programmatic handle. */
export interface FaultSettings {
  /** Throttle the next `count` requests, and/or every request beyond a rate. */
  readonly throttle?: { readonly count?: number; readonly ratePerSecond?: number; readonly burst?: number };
  /** Answer the next `count` requests with a server error (500, or 503 when `status` says so). */
  readonly serverErrors?: { readonly count: number; readonly status?: 500 | 503 };
  /** Delay answers by `delayMs` (the next `count`, or all when `count` is absent). */
  readonly slow?: { readonly delayMs: number; readonly count?: number };
  /** Refuse every credential (true) or the next `count` requests, as if the keys had been revoked. */
  readonly badCredentials?: boolean | { readonly count: number };
}

/** What to do with one request. */
export interface FaultDecision {
  readonly delayMs: number;
  readonly fault: 'throttle' | 'server-error' | 'bad-credentials' | undefined;
  readonly status: number;
}

interface Counted {
  remaining: number;
}

/**
 * The fault switches of one sandbox cloud. `decide` is called once per API request after it has been read; the
 * cloud turns the decision into its own error format.
 */
export class Faults {
  #throttle: Counted = { remaining: 0 };
  #rate: { perSecond: number; burst: number; tokens: number; at: number } | undefined;
  #errors: Counted & { status: number } = { remaining: 0, status: 500 };
  #slow: { delayMs: number; remaining: number | undefined } | undefined;
  #badCredentials: { remaining: number | undefined } | undefined;
  readonly #clock: Clock;
  /** Faults injected so far, by kind (for assertions). */
  readonly injected = { throttle: 0, 'server-error': 0, 'bad-credentials': 0 };

  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  /** Applies settings; keys that are absent keep their current state. */
  set(settings: FaultSettings): void {
    if (settings.throttle !== undefined) {
      this.#throttle = { remaining: settings.throttle.count ?? 0 };
      const perSecond = settings.throttle.ratePerSecond;
      this.#rate =
        perSecond === undefined || perSecond <= 0
          ? undefined
          : {
              perSecond,
              burst: settings.throttle.burst ?? perSecond,
              tokens: settings.throttle.burst ?? perSecond,
              at: this.#clock.nowMs(),
            };
    }
    if (settings.serverErrors !== undefined)
      this.#errors = { remaining: settings.serverErrors.count, status: settings.serverErrors.status ?? 500 };
    if (settings.slow !== undefined) this.#slow = { delayMs: settings.slow.delayMs, remaining: settings.slow.count };
    if (settings.badCredentials !== undefined) {
      const b = settings.badCredentials;
      this.#badCredentials = b === false ? undefined : { remaining: b === true ? undefined : b.count };
    }
  }

  reset(): void {
    this.#throttle = { remaining: 0 };
    this.#rate = undefined;
    this.#errors = { remaining: 0, status: 500 };
    this.#slow = undefined;
    this.#badCredentials = undefined;
  }

  decide(): FaultDecision {
    const delayMs = this.#takeDelay();
    if (this.#badCredentials !== undefined && this.#take(this.#badCredentials))
      return this.#hit('bad-credentials', delayMs, 401);
    if (this.#throttle.remaining > 0) {
      this.#throttle.remaining--;
      return this.#hit('throttle', delayMs, 503);
    }
    if (this.#rate !== undefined && !this.#takeRateToken(this.#rate)) return this.#hit('throttle', delayMs, 503);
    if (this.#errors.remaining > 0) {
      this.#errors.remaining--;
      return this.#hit('server-error', delayMs, this.#errors.status);
    }
    return { delayMs, fault: undefined, status: 200 };
  }

  #hit(fault: NonNullable<FaultDecision['fault']>, delayMs: number, status: number): FaultDecision {
    this.injected[fault]++;
    return { delayMs, fault, status };
  }

  #take(counter: { remaining: number | undefined }): boolean {
    if (counter.remaining === undefined) return true;
    if (counter.remaining <= 0) return false;
    counter.remaining--;
    return true;
  }

  #takeDelay(): number {
    if (this.#slow === undefined) return 0;
    if (this.#slow.remaining !== undefined) {
      if (this.#slow.remaining <= 0) return 0;
      this.#slow.remaining--;
    }
    return this.#slow.delayMs;
  }

  #takeRateToken(rate: { perSecond: number; burst: number; tokens: number; at: number }): boolean {
    const now = this.#clock.nowMs();
    rate.tokens = Math.min(rate.burst, rate.tokens + ((now - rate.at) / 1000) * rate.perSecond);
    rate.at = now;
    if (rate.tokens < 1) return false;
    rate.tokens--;
    return true;
  }
}
