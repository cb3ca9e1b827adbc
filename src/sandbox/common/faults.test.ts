import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../kernel/clock.js';
import { Faults } from './faults.js';

describe('fault switches', () => {
  it('throttles the next N requests, then lets them through', () => {
    const f = new Faults();
    f.set({ throttle: { count: 2 } });
    expect([f.decide().fault, f.decide().fault, f.decide().fault]).toEqual(['throttle', 'throttle', undefined]);
    expect(f.injected.throttle).toBe(2);
  });

  it('throttles beyond a rate', () => {
    const clock = new FakeClock(0);
    const f = new Faults(clock);
    f.set({ throttle: { ratePerSecond: 2, burst: 2 } });
    expect([f.decide().fault, f.decide().fault, f.decide().fault]).toEqual([undefined, undefined, 'throttle']);
    clock.advance(500);
    expect(f.decide().fault).toBeUndefined();
  });

  it('fails, slows and rejects credentials on demand, and resets', () => {
    const f = new Faults();
    f.set({ serverErrors: { count: 1, status: 503 }, slow: { delayMs: 50, count: 1 }, badCredentials: { count: 1 } });
    expect(f.decide()).toEqual({ delayMs: 50, fault: 'bad-credentials', status: 401 });
    expect(f.decide()).toEqual({ delayMs: 0, fault: 'server-error', status: 503 });
    f.set({ badCredentials: true });
    f.reset();
    expect(f.decide().fault).toBeUndefined();
  });
});
