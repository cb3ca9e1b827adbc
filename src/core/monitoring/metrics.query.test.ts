import { describe, expect, it } from 'vitest';
import { chooseResolution, toSeries, unitOf, METRIC_NAME } from './metrics.query.js';

const NOW = 1_800_000_000;
const DAY = 86_400;
const q = (fromAgo: number, toAgo = 0, requested?: number) =>
  chooseResolution({
    fromS: NOW - fromAgo,
    toS: NOW - toAgo,
    nowS: NOW,
    rawRetentionS: DAY,
    maxPoints: 360,
    requested,
  });

describe('choosing a resolution by range', () => {
  it('short ranges read raw points; longer ones minute roll-ups in larger buckets', () => {
    expect(q(3600)).toEqual({ table: 'raw', bucket: 10 });
    expect(q(300)).toEqual({ table: 'raw', bucket: 1 });
    expect(q(6 * 3600)).toEqual({ table: 'minute', bucket: 60 });
    expect(q(7 * DAY)).toEqual({ table: 'minute', bucket: 3600 });
    expect(q(30 * DAY)).toEqual({ table: 'minute', bucket: 10_800 });
  });

  it('raw points past their retention are not asked for', () => {
    expect(q(2 * DAY, 2 * DAY - 600)).toEqual({ table: 'minute', bucket: 60 });
    expect(q(2 * DAY, 2 * DAY - 600, 1)).toEqual({ table: 'minute', bucket: 60 });
  });

  it('takes a requested resolution and refuses nonsense', () => {
    expect(q(3600, 0, 300)).toEqual({ table: 'minute', bucket: 300 });
    expect(() => q(3600, 0, 7)).toThrow(/resolution/);
    expect(() => q(0, 10)).toThrow(/after/);
  });
});

describe('series output', () => {
  it('averages are sum over count, in parallel arrays', () => {
    expect(
      toSeries([
        { series_id: 1, bucket: 60, sum: 30, count: 3, min: 5, max: 15 },
        { series_id: 1, bucket: 120, sum: 0, count: 0, min: 0, max: 0 },
      ]),
    ).toEqual({ t: [60], avg: [10], min: [5], max: [15] });
  });

  it('units and names', () => {
    expect(['cpu.busy_pct', 'disk.free_bytes:/', 'net.rx_bps:eth0', 'load.1', 'procs.total'].map(unitOf)).toEqual([
      'percent',
      'bytes',
      'bytes_per_second',
      'load',
      'count',
    ]);
    expect(METRIC_NAME.test('disk.used_pct:/var/lib/mysql')).toBe(true);
    expect(METRIC_NAME.test('disk.used_pct:/x y')).toBe(false);
    expect(METRIC_NAME.test('DROP TABLE')).toBe(false);
  });
});
