import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kernel/clock.js';
import { TokenBucketLimiter } from './rate-limit.js';

function limiter(ratePerSecond: number, burst: number) {
  const clock = new FakeClock(0);
  const slept: number[] = [];
  const l = new TokenBucketLimiter({
    ratePerSecond,
    burst,
    clock,
    sleep: async (ms) => {
      slept.push(ms);
      clock.advance(ms);
    },
  });
  return { l, clock, slept };
}

describe('TokenBucketLimiter', () => {
  it('lets a burst through, then paces at the rate', async () => {
    const { l, slept } = limiter(2, 3);
    for (let i = 0; i < 3; i++) await l.acquire('org_a');
    expect(slept).toEqual([]);
    await l.acquire('org_a');
    expect(slept).toEqual([500]);
  });

  it('keeps one bucket per key', async () => {
    const { l, slept } = limiter(1, 1);
    await l.acquire('org_a');
    await l.acquire('org_b');
    expect(slept).toEqual([]);
    expect(l.available('org_a')).toBe(0);
  });

  it('refills with time', async () => {
    const { l, clock } = limiter(10, 5);
    for (let i = 0; i < 5; i++) await l.acquire('k');
    clock.advance(300);
    expect(l.available('k')).toBeCloseTo(3);
  });

  it('serves concurrent callers one after another', async () => {
    const { l, slept } = limiter(1, 1);
    await Promise.all([l.acquire('k'), l.acquire('k'), l.acquire('k')]);
    expect(slept).toEqual([1000, 1000]);
  });

  it('stops waiting when aborted', async () => {
    const l = new TokenBucketLimiter({ ratePerSecond: 0.001, burst: 1 });
    await l.acquire('k');
    const ac = new AbortController();
    const waiting = l.acquire('k', ac.signal);
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
  });

  it('refuses nonsense settings', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
  });
});
