import { describe, expect, it } from 'vitest';
import { assertValidRule } from './alerting.service.js';
import { assertInterval, normaliseRecipients } from './settings.service.js';

const threshold = {
  name: 'Disk',
  kind: 'threshold' as const,
  metric: 'disk.used_pct',
  comparison: 'above' as const,
  threshold: 90,
  durationSeconds: 600,
  severity: 'critical' as const,
};

describe('monitoring input checks', () => {
  it('a threshold rule needs a metric name, a comparison and a number', () => {
    expect(() => assertValidRule(threshold)).not.toThrow();
    expect(() => assertValidRule({ ...threshold, metric: 'disk.used_pct:/var/lib' })).not.toThrow();
    for (const bad of [
      { metric: null },
      { metric: 'disk' },
      { metric: 'disk.used_pct;reboot' },
      { comparison: null },
      { threshold: null },
      { threshold: Number.NaN },
      { durationSeconds: -1 },
      { durationSeconds: 1.5 },
      { name: ' ' },
    ]) {
      expect(() => assertValidRule({ ...threshold, ...bad }), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'STEWARD_INVALID_INPUT' }),
      );
    }
  });

  it('an unreachable rule takes no metric', () => {
    const unreachable = {
      name: 'Gone',
      kind: 'unreachable' as const,
      durationSeconds: 300,
      severity: 'critical' as const,
    };
    expect(() => assertValidRule(unreachable)).not.toThrow();
    expect(() => assertValidRule({ ...unreachable, metric: 'load.1' })).toThrow(/takes no metric/);
    expect(() => assertValidRule({ ...unreachable, threshold: 0 })).toThrow(/takes no metric/);
  });

  it('intervals run from 10 s to a day', () => {
    expect(() => assertInterval(10)).not.toThrow();
    expect(() => assertInterval(86_400)).not.toThrow();
    for (const bad of [9, 0, 86_401, 10.5]) expect(() => assertInterval(bad)).toThrow(/intervalSeconds/);
  });

  it('recipients are e-mail addresses, folded to lower case without repeats', () => {
    expect(normaliseRecipients([' Ops@Example.com', 'ops@example.com', 'b@x.io'])).toEqual([
      'ops@example.com',
      'b@x.io',
    ]);
    for (const bad of ['nobody', 'a@b', 'a b@example.com', 'x@example.com\nBcc: y@example.com'])
      expect(() => normaliseRecipients([bad]), bad).toThrow(/not an e-mail address/);
    expect(() => normaliseRecipients(Array.from({ length: 21 }, (_, i) => `p${i}@example.com`))).toThrow(/At most 20/);
  });
});
