import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { derive, seriesSuffix } from './derive.js';
import { parseSample } from './parse.js';
import type { RawSample } from './types.js';

const B = '6f1c0d2e9a7b4c3d8e5f60718293a4b5';
const sample = (name: string) => parseSample(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'), B);
const T0 = Date.UTC(2026, 10, 29, 10, 11, 0);

describe('deriving metric points', () => {
  const first = sample('debian12-first.txt');
  const second = sample('debian12-second.txt');

  it('the first sample gives instantaneous figures only; rates wait for a second one', () => {
    const { points, counters } = derive(first, null, T0);
    const names = points.map((p) => p.metric);
    expect(names).toEqual(
      expect.arrayContaining([
        'load.1',
        'mem.used_pct',
        'mem.used_bytes',
        'procs.total',
        'disk.used_pct',
        'disk.used_pct:/',
        'disk.free_bytes:/',
      ]),
    );
    expect(names.some((n) => n.startsWith('cpu.') || n.startsWith('net.') || n.startsWith('diskio.'))).toBe(false);
    expect(counters.cpu).toEqual(first.cpu.total);
    expect(counters.net.eth0).toBeDefined();
  });

  it('the next sample of the same boot gives CPU shares and byte rates', () => {
    const { counters } = derive(first, null, T0);
    const { points, top } = derive(second, counters, T0 + 5000);
    const value = (m: string) => points.find((p) => p.metric === m)?.value;
    expect(value('cpu.busy_pct')).toBeGreaterThan(0);
    expect(value('cpu.busy_pct')).toBeLessThanOrEqual(100);
    expect(value('cpu.user_pct')! + value('cpu.system_pct')!).toBeLessThanOrEqual(value('cpu.busy_pct')! + 0.05);
    expect(value('net.rx_bps')).toBeGreaterThanOrEqual(0);
    expect(value('diskio.write_bps:vda')).toBeGreaterThanOrEqual(0);
    expect(value('diskio.util_pct:vda')).toBeLessThanOrEqual(100);
    // The miner's share comes from its CPU seconds over the five seconds, not ps's lifetime average.
    const miner = top.find((p) => p.command === 'xmrig')!;
    const before = first.processes.find((p) => p.pid === miner.pid)!;
    const after = second.processes.find((p) => p.pid === miner.pid)!;
    expect(miner.cpuPercent).toBeCloseTo((100 * (after.cpuSeconds - before.cpuSeconds)) / 5, 1);
  });

  it('a reboot (new boot time) or a long gap starts the rates again', () => {
    const { counters } = derive(first, null, T0);
    const rebooted: RawSample = { ...second, cpu: { ...second.cpu, bootTime: (second.cpu.bootTime ?? 0) + 100 } };
    expect(derive(rebooted, counters, T0 + 5000).points.some((p) => p.metric === 'cpu.busy_pct')).toBe(false);
    expect(derive(second, counters, T0 + 2 * 3600_000).points.some((p) => p.metric === 'cpu.busy_pct')).toBe(false);
  });

  it('a counter that went backwards gives no rate rather than a negative one', () => {
    const { counters } = derive(first, null, T0);
    const reset: RawSample = { ...second, net: second.net.map((n) => ({ ...n, rxBytes: 0 })) };
    const { points } = derive(reset, counters, T0 + 5000);
    expect(points.find((p) => p.metric === 'net.rx_bps:eth0')).toBeUndefined();
    expect(points.find((p) => p.metric === 'net.rx_bps')).toBeUndefined();
    expect(points.every((p) => Number.isFinite(p.value) && p.value >= 0)).toBe(true);
  });

  it('series suffixes are safe names', () => {
    expect(seriesSuffix('/')).toBe('/');
    expect(seriesSuffix('/mnt/my disk')).toBe('/mnt/my_disk');
    expect(seriesSuffix('')).toBe('_');
  });
});
