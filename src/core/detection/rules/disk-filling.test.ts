import { describe, expect, it } from 'vitest';
import { diskFilling, fillRate } from './disk-filling.js';
import { quiet } from './input.testkit.js';

const GB = 1024 ** 3;
const trend = (freeStart: number, lossPerMinute: number, minutes = 10) =>
  Array.from({ length: minutes + 1 }, (_, i) => [1_800_000_000 + i * 60, freeStart - i * lossPerMinute] as const);

describe('rule: disk filling fast', () => {
  it('free space falling fast enough to fill the disk within the threshold', () => {
    const [f] = diskFilling(
      quiet({ disks: [{ mount: '/var', sizeBytes: 100 * GB, points: trend(5 * GB, 0.1 * GB) }] }),
    );
    expect(f).toMatchObject({ rule: 'disk_filling', key: '/var', severity: 'warning' });
    expect(f!.evidence.hoursLeft).toBeCloseTo(4 / 6, 1);
  });

  it('within half an hour is critical', () => {
    expect(
      diskFilling(quiet({ disks: [{ mount: '/', sizeBytes: 10 * GB, points: trend(1 * GB, 0.05 * GB) }] }))[0]!
        .severity,
    ).toBe('critical');
  });

  it('slowly filling, emptying, flat or too little history: nothing', () => {
    expect(
      diskFilling(quiet({ disks: [{ mount: '/', sizeBytes: 100 * GB, points: trend(50 * GB, 0.01 * GB) }] })),
    ).toEqual([]);
    expect(
      diskFilling(quiet({ disks: [{ mount: '/', sizeBytes: 100 * GB, points: trend(5 * GB, -0.1 * GB) }] })),
    ).toEqual([]);
    expect(diskFilling(quiet({ disks: [{ mount: '/', sizeBytes: 100 * GB, points: trend(5 * GB, 0) }] }))).toEqual([]);
    expect(fillRate(trend(5 * GB, GB, 2))).toBeNull();
  });
});
