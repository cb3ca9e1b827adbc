import { describe, expect, it } from 'vitest';
import { firstOnPhase, onPhase, phaseOf } from './phase.js';

describe('sampling phase', () => {
  it('spreads servers over the interval and gives each the same phase every time', () => {
    const interval = 10_000;
    const ids = Array.from({ length: 1000 }, (_, i) => `srv_${i.toString(36).padStart(8, 'x')}`);
    const tenths = new Array<number>(10).fill(0);
    for (const id of ids) {
      const phase = phaseOf(id, interval);
      expect(phase).toBe(phaseOf(id, interval));
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(interval);
      tenths[Math.floor(phase / 1000)]! += 1;
    }
    // 100 expected per tenth; all at once (the old rhythm) would put 1,000 in one.
    for (const n of tenths) expect(n).toBeGreaterThan(60);
    for (const n of tenths) expect(n).toBeLessThan(140);
  });

  it('keeps a server on its phase one interval apart, and moves an off-phase one there within one interval', () => {
    const interval = 10_000;
    expect(onPhase(1_000_003_000, interval, 3_000)).toBe(1_000_013_000);
    for (const slot of [1_000_000_000, 1_000_000_001, 1_000_004_999, 1_000_007_500, 1_000_009_999]) {
      for (const phase of [0, 1, 2_500, 5_000, 9_999]) {
        const next = onPhase(slot, interval, phase);
        expect((next - phase) % interval).toBe(0);
        expect(next - slot).toBeGreaterThan(0);
        expect(next - slot).toBeLessThanOrEqual(interval);
      }
    }
  });

  it('spreads the first samples of servers monitored together over the first interval, each on its phase', () => {
    const interval = 10_000;
    const now = 1_000_004_321;
    const ids = Array.from({ length: 100 }, (_, i) => `srv_${i.toString(36).padStart(8, 'x')}`);
    const firsts = ids.map((id) => firstOnPhase(now, interval, phaseOf(id, interval)));
    for (const [i, first] of firsts.entries()) {
      expect(first).toBeGreaterThanOrEqual(now);
      expect(first).toBeLessThan(now + interval);
      expect((first - phaseOf(ids[i]!, interval)) % interval).toBe(0);
    }
    // On its phase already: due at once. And a first sample on its phase is followed by the next one interval on.
    expect(firstOnPhase(now, interval, now % interval)).toBe(now);
    for (const [i, first] of firsts.entries()) {
      expect(onPhase(first, interval, phaseOf(ids[i]!, interval))).toBe(first + interval);
    }
    // Spread, not bunched: no second of the interval holds more than a quarter of them.
    const seconds = new Array<number>(10).fill(0);
    for (const first of firsts) seconds[Math.floor((first - now) / 1000)]! += 1;
    for (const n of seconds) expect(n).toBeLessThan(25);
  });
});
