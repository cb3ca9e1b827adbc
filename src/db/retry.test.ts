import { describe, expect, it } from 'vitest';
import { AppError } from '../kernel/errors.js';
import { isTransient, retryTransient } from './retry.js';

const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('retryTransient', () => {
  it('tries again after busy answers and returns the result', async () => {
    let calls = 0;
    const seen: number[] = [];
    const result = await retryTransient(
      async () => {
        calls++;
        if (calls < 3) throw busy();
        return 'done';
      },
      { onRetry: (_, attempt) => seen.push(attempt) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
    expect(seen).toEqual([2, 3]);
  });

  it('does not retry a real error, and gives up when the budget is spent', async () => {
    let calls = 0;
    const wrong = new AppError('STEWARD_INVALID_INPUT', 'no');
    await expect(
      retryTransient(async () => {
        calls++;
        throw wrong;
      }),
    ).rejects.toBe(wrong);
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      retryTransient(
        async () => {
          calls++;
          throw busy();
        },
        { budgetMs: 300 },
      ),
    ).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(calls).toBeGreaterThan(1);
  });

  it('knows a refused audit write caused by a busy database from other errors', () => {
    const refused = new AppError('STEWARD_AUDIT_UNAVAILABLE', 'x', undefined, { cause: busy() });
    expect(isTransient(refused)).toBe(true);
    expect(isTransient(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isTransient(new AppError('STEWARD_NOT_FOUND', 'gone'))).toBe(false);
  });
});
