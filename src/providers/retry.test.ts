import { describe, expect, it } from 'vitest';
import { backoffDelay, withRetry, type RetryVerdict } from './retry.js';

const policy = { maxAttempts: 4, baseDelayMs: 100, throttleBaseDelayMs: 500, maxDelayMs: 1_000 };

describe('withRetry', () => {
  it('retries transient failures with growing, jittered, capped delays', async () => {
    const slept: number[] = [];
    let n = 0;
    const result = await withRetry(
      async () => {
        if (++n < 4) throw new Error('boom');
        return 'ok';
      },
      () => 'transient',
      policy,
      { sleep: async (ms) => void slept.push(ms), random: () => 0.999 },
    );
    expect(result).toBe('ok');
    expect(slept).toEqual([99, 199, 399]);
  });

  it('waits longer after throttling and stops at the attempt limit', async () => {
    const slept: number[] = [];
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw new Error('slow down');
        },
        (): RetryVerdict => 'throttled',
        policy,
        { sleep: async (ms) => void slept.push(ms), random: () => 0.5 },
      ),
    ).rejects.toThrow('slow down');
    expect(n).toBe(4);
    expect(slept).toEqual([250, 500, 500]);
  });

  it('does not retry final failures', async () => {
    let n = 0;
    await expect(
      withRetry(
        async () => {
          n++;
          throw new Error('no');
        },
        () => 'final',
        policy,
      ),
    ).rejects.toThrow('no');
    expect(n).toBe(1);
  });

  it('draws delays from [0, ceiling)', () => {
    expect(backoffDelay(0, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelay(10, 100, 1000, () => 0.5)).toBe(500);
  });
});
