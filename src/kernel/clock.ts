/** Time as a dependency, so rules that depend on it (expiry, retention, backoff) can be tested. */
export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
  now(): Date;
  /** The current time as an ISO-8601 UTC string, the form Steward stores. */
  iso(): string;
}

export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
  iso: () => new Date().toISOString(),
};

/** A clock that moves only when told to. */
export class FakeClock implements Clock {
  private ms: number;

  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  nowMs(): number {
    return this.ms;
  }

  now(): Date {
    return new Date(this.ms);
  }

  iso(): string {
    return new Date(this.ms).toISOString();
  }

  advance(ms: number): void {
    this.ms += ms;
  }

  set(at: Date | number): void {
    this.ms = typeof at === 'number' ? at : at.getTime();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
