import { describe, expect, it } from 'vitest';
import { computeInvoice, monthOf, parsePeriod, segmentsIn, type PlanTerms, type UsageHour } from './billing.rules.js';
import { amountOf, displayMoney, divRound, formatMinor, parseMinor, parsePrice, percentOf } from './money.js';

const plan = (over: Partial<PlanTerms> & Pick<PlanTerms, 'id' | 'name'>): PlanTerms => ({
  monthlyPrice: parsePrice('29', 'p'),
  includedServers: 2,
  serverHourPrice: parsePrice('0.0125', 'p'),
  backupGibMonthPrice: parsePrice('0.10', 'p'),
  monitoredServerHourPrice: 0n,
  ...over,
});
const HOUR = 3_600_000;

describe('money', () => {
  it('parses decimals exactly and refuses anything else', () => {
    expect(parsePrice('0.0125', 'x')).toBe(12_500n);
    expect(parsePrice('-3.5', 'x')).toBe(-3_500_000n);
    expect(() => parsePrice('0.1234567', 'price')).toThrow(/at most 6 decimal places/);
    expect(() => parsePrice('1e3', 'price')).toThrow(/decimal number/);
    expect(() => parsePrice('12,50', 'price')).toThrow(/decimal number/);
  });
  it('rounds half away from zero, once', () => {
    expect(divRound(5n, 2n)).toBe(3n);
    expect(divRound(-5n, 2n)).toBe(-3n);
    expect(divRound(14n, 10n)).toBe(1n);
    // 0.1 + 0.2 is 0.30 here, not 0.30000000000000004
    expect(formatMinor(amountOf(parsePrice('0.1', 'x') + parsePrice('0.2', 'x'), 1n, 1n, 2), 2)).toBe('0.30');
    expect(percentOf(7863n, parsePrice('19', 'x'))).toBe(1494n); // 14.9397 → 14.94
  });
  it('formats and reads back minor units by the currency’s places', () => {
    expect(formatMinor(5n, 2)).toBe('0.05');
    expect(formatMinor(-1234n, 2)).toBe('-12.34');
    expect(formatMinor(500n, 0)).toBe('500');
    expect(parseMinor('12.34', 2)).toBe(1234n);
    expect(() => parseMinor('12.345', 2)).toThrow(/more than 2 decimal places/);
    expect(displayMoney(123456789n, 'EUR')).toBe('€1,234,567.89');
    expect(displayMoney(500n, 'JPY')).toBe('¥500');
  });
});

describe('invoice rules', () => {
  it('prorates a mid-month plan change by the exact share of the month and bills extra servers per plan', () => {
    const { startMs, endMs } = parsePeriod('2026-03')!;
    const change = Date.UTC(2026, 2, 16);
    const starter = plan({ id: 'p1', name: 'Starter' });
    const growth = plan({
      id: 'p2',
      name: 'Growth',
      monthlyPrice: parsePrice('99', 'p'),
      includedServers: 10,
      serverHourPrice: parsePrice('0.01', 'p'),
    });
    const usage: UsageHour[] = [];
    for (let t = startMs; t < endMs; t += HOUR)
      usage.push({ hourMs: t, servers: 5, instances: 0, monitored: 3, backupBytes: 0n });
    const inv = computeInvoice({
      periodStartMs: startMs,
      periodEndMs: endMs,
      segments: segmentsIn(
        [
          { plan: starter, startsMs: Date.UTC(2026, 0, 1), endsMs: change },
          { plan: growth, startsMs: change, endsMs: null },
        ],
        startMs,
        endMs,
      ),
      usage,
      exponent: 2,
      taxPercent: parsePrice('19', 'p'),
    });
    // 29 × 15/31 = 14.032… → 14.03; 3 extra × 360 h × 0.0125 = 13.50; 99 × 16/31 = 51.096… → 51.10
    expect(inv.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([
      ['plan', '15 of 31 days', '14.03'],
      ['extra_servers', '1080 server-hours', '13.50'],
      ['plan', '16 of 31 days', '51.10'],
    ]);
    expect(formatMinor(inv.subtotal, 2)).toBe('78.63');
    expect(formatMinor(inv.tax, 2)).toBe('14.94');
    expect(formatMinor(inv.total, 2)).toBe('93.57');
    expect(inv.usage).toMatchObject({ serverHours: 3720, monitoredServerHours: 2232, meteredHours: 744 });
  });

  it('charges monitored server-hours at the price of the plan in force in each hour', () => {
    const { startMs, endMs } = monthOf(Date.UTC(2026, 3, 10)); // April 2026: 720 hours
    const change = Date.UTC(2026, 3, 11); // 240 hours on the first plan, 480 on the second
    const watched = plan({ id: 'p1', name: 'Watched', monitoredServerHourPrice: parsePrice('0.0035', 'p') });
    const included = plan({ id: 'p2', name: 'Included' });
    const usage: UsageHour[] = [];
    for (let t = startMs; t < endMs; t += HOUR)
      usage.push({ hourMs: t, servers: 2, instances: 0, monitored: 2, backupBytes: 0n });
    const inv = computeInvoice({
      periodStartMs: startMs,
      periodEndMs: endMs,
      segments: segmentsIn(
        [
          { plan: watched, startsMs: Date.UTC(2026, 0, 1), endsMs: change },
          { plan: included, startsMs: change, endsMs: null },
        ],
        startMs,
        endMs,
      ),
      usage,
      exponent: 2,
      taxPercent: 0n,
    });
    // 29 × 10/30 = 9.666… → 9.67; 2 servers × 240 h × 0.0035 = 1.68; 29 × 20/30 = 19.333… → 19.33; then free.
    expect(inv.lines.map((l) => [l.kind, l.quantity, l.unitPrice, l.amount])).toEqual([
      ['plan', '10 of 30 days', '29.00 / month', '9.67'],
      ['monitoring', '480 server-hours', '0.0035 / monitored server-hour', '1.68'],
      ['plan', '20 of 30 days', '29.00 / month', '19.33'],
    ]);
    expect(formatMinor(inv.total, 2)).toBe('30.68');
    expect(inv.usage.monitoredServerHours).toBe(1440);
  });

  it('charges backup storage by GiB-month over the hours of the period', () => {
    const { startMs, endMs } = monthOf(Date.UTC(2026, 1, 10)); // February 2026: 672 hours
    const p = plan({ id: 'p', name: 'Starter' });
    const usage: UsageHour[] = [];
    // 10 GiB all month: 10 GiB-months × 0.10 = 1.00; nothing beyond the included servers.
    for (let t = startMs; t < endMs; t += HOUR)
      usage.push({ hourMs: t, servers: 1, instances: 1, monitored: 0, backupBytes: 10n * (1n << 30n) });
    const inv = computeInvoice({
      periodStartMs: startMs,
      periodEndMs: endMs,
      segments: [{ plan: p, fromMs: startMs, toMs: endMs }],
      usage,
      exponent: 2,
      taxPercent: 0n,
    });
    expect(inv.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([
      ['plan', '28 of 28 days', '29.00'],
      ['backup_storage', '10.000 GiB-months', '1.00'],
    ]);
  });

  it('says "1 server-hour", not "1 server-hours"', () => {
    const { startMs, endMs } = monthOf(Date.UTC(2026, 1, 10));
    const p = plan({ id: 'p', name: 'Starter' });
    const usage: UsageHour[] = [{ hourMs: startMs, servers: 3, instances: 0, monitored: 0, backupBytes: 0n }];
    const inv = computeInvoice({
      periodStartMs: startMs,
      periodEndMs: endMs,
      segments: [{ plan: p, fromMs: startMs, toMs: endMs }],
      usage,
      exponent: 2,
      taxPercent: 0n,
    });
    expect(inv.lines.find((l) => l.kind === 'extra_servers')?.quantity).toBe('1 server-hour');
  });

  it('names months and refuses what is not one', () => {
    expect(parsePeriod('2026-13')).toBeUndefined();
    expect(parsePeriod('2026-3')).toBeUndefined();
    expect(new Date(parsePeriod('2026-12')!.endMs).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });
});
