import { amountOf, divRound, formatMinor, formatPrice, percentOf } from './money.js';

/**
 * The invoice for one period, as a pure function of the plans the organisation was on, the hours it was metered
 * and the tax rate: the place to check a figure by hand. A plan's monthly price is prorated by the exact share of
 * the period it was in force; extra servers, monitored servers and backup storage are charged at the prices of the
 * plan in force in each metered hour.
 */

export interface PlanTerms {
  readonly id: string;
  readonly name: string;
  /** Millionths of the currency unit. */
  readonly monthlyPrice: bigint;
  readonly includedServers: number;
  readonly serverHourPrice: bigint;
  readonly backupGibMonthPrice: bigint;
  readonly monitoredServerHourPrice: bigint;
}

/** A plan in force from `fromMs` (inclusive) to `toMs` (exclusive), already clipped to the period. */
export interface PlanSegment {
  readonly plan: PlanTerms;
  readonly fromMs: number;
  readonly toMs: number;
}

export interface UsageHour {
  readonly hourMs: number;
  readonly servers: number;
  readonly instances: number;
  readonly monitored: number;
  readonly backupBytes: bigint;
}

export interface InvoiceLine {
  readonly kind: 'plan' | 'extra_servers' | 'monitoring' | 'backup_storage' | 'credit';
  readonly description: string;
  readonly quantity: string;
  readonly unitPrice: string;
  /** Minor units as a decimal string ("14.03"). */
  readonly amount: string;
}

export interface UsageSummary {
  readonly serverHours: number;
  readonly instanceHours: number;
  readonly monitoredServerHours: number;
  readonly backupGibMonths: string;
  readonly meteredHours: number;
}

export interface ComputedInvoice {
  readonly lines: InvoiceLine[];
  readonly usage: UsageSummary;
  readonly subtotal: bigint;
  readonly tax: bigint;
  readonly total: bigint;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GIB = 1n << 30n;

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** "15 of 31 days" when the share is whole days, else hours (to the minute it would be too fine to read). */
function shareText(fromMs: number, toMs: number, periodMs: number): string {
  const span = toMs - fromMs;
  if (span % DAY === 0 && periodMs % DAY === 0) return `${span / DAY} of ${periodMs / DAY} days`;
  return `${(span / HOUR).toFixed(2).replace(/\.00$/, '')} of ${periodMs / HOUR} hours`;
}

/** Calendar month in UTC that contains `ms`: [start, end). */
export function monthOf(ms: number): { startMs: number; endMs: number } {
  const d = new Date(ms);
  const startMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const endMs = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  return { startMs, endMs };
}

/** `2026-03` for the month starting at `startMs`. */
export const periodName = (startMs: number): string => new Date(startMs).toISOString().slice(0, 7);

export function parsePeriod(text: string): { startMs: number; endMs: number } | undefined {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(text);
  if (!m) return undefined;
  return monthOf(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
}

export function computeInvoice(input: {
  readonly periodStartMs: number;
  readonly periodEndMs: number;
  readonly segments: readonly PlanSegment[];
  readonly usage: readonly UsageHour[];
  readonly exponent: number;
  readonly taxPercent: bigint;
}): ComputedInvoice {
  const { periodStartMs, periodEndMs, exponent } = input;
  const periodMs = periodEndMs - periodStartMs;
  const periodHours = BigInt(Math.round(periodMs / HOUR));
  const lines: InvoiceLine[] = [];
  const money = (minor: bigint) => formatMinor(minor, exponent);
  const segments = [...input.segments].sort((a, b) => a.fromMs - b.fromMs);
  for (const seg of segments) {
    const { plan } = seg;
    const inSeg = input.usage.filter((u) => u.hourMs >= seg.fromMs && u.hourMs < seg.toMs);
    lines.push({
      kind: 'plan',
      description: `${plan.name} plan, ${dateOf(seg.fromMs)} to ${dateOf(seg.toMs - 1)}`,
      quantity: shareText(seg.fromMs, seg.toMs, periodMs),
      unitPrice: `${formatPrice(plan.monthlyPrice)} / month`,
      amount: money(amountOf(plan.monthlyPrice, BigInt(seg.toMs - seg.fromMs), BigInt(periodMs), exponent)),
    });
    const extraHours = inSeg.reduce((n, u) => n + Math.max(0, u.servers + u.instances - plan.includedServers), 0);
    if (extraHours > 0)
      lines.push({
        kind: 'extra_servers',
        description: `Servers beyond the ${plan.includedServers} included in ${plan.name}`,
        quantity: extraHours === 1 ? '1 server-hour' : `${extraHours} server-hours`,
        unitPrice: `${formatPrice(plan.serverHourPrice)} / server-hour`,
        amount: money(amountOf(plan.serverHourPrice, BigInt(extraHours), 1n, exponent)),
      });
    const monitoredHours = inSeg.reduce((n, u) => n + u.monitored, 0);
    if (monitoredHours > 0 && plan.monitoredServerHourPrice > 0n)
      lines.push({
        kind: 'monitoring',
        description: `Monitored servers on ${plan.name}`,
        quantity: monitoredHours === 1 ? '1 server-hour' : `${monitoredHours} server-hours`,
        unitPrice: `${formatPrice(plan.monitoredServerHourPrice)} / monitored server-hour`,
        amount: money(amountOf(plan.monitoredServerHourPrice, BigInt(monitoredHours), 1n, exponent)),
      });
    const bytes = inSeg.reduce((n, u) => n + u.backupBytes, 0n);
    if (bytes > 0n)
      lines.push({
        kind: 'backup_storage',
        description: `Backup storage on ${plan.name}`,
        quantity: `${formatMinor(divRound(bytes * 1000n, GIB * periodHours), 3)} GiB-months`,
        unitPrice: `${formatPrice(plan.backupGibMonthPrice)} / GiB-month`,
        amount: money(amountOf(plan.backupGibMonthPrice, bytes, GIB * periodHours, exponent)),
      });
  }
  const subtotal = lines.reduce((n, l) => n + toMinor(l.amount, exponent), 0n);
  const tax = percentOf(subtotal, input.taxPercent);
  const totalBytes = input.usage.reduce((n, u) => n + u.backupBytes, 0n);
  return {
    lines,
    usage: {
      serverHours: input.usage.reduce((n, u) => n + u.servers, 0),
      instanceHours: input.usage.reduce((n, u) => n + u.instances, 0),
      monitoredServerHours: input.usage.reduce((n, u) => n + u.monitored, 0),
      backupGibMonths: formatMinor(divRound(totalBytes * 1000n, GIB * (periodHours || 1n)), 3),
      meteredHours: input.usage.length,
    },
    subtotal,
    tax,
    total: subtotal + tax,
  };
}

/** A formatted minor amount back to minor units (the lines are stored formatted). */
export function toMinor(text: string, exponent: number): bigint {
  const negative = text.startsWith('-');
  const [whole, frac = ''] = (negative ? text.slice(1) : text).split('.');
  const value = BigInt(whole!) * 10n ** BigInt(exponent) + BigInt(frac.padEnd(exponent, '0') || '0');
  return negative ? -value : value;
}

/** The plans in force during a period, clipped to it, from the subscription history. */
export function segmentsIn(
  history: readonly { plan: PlanTerms; startsMs: number; endsMs: number | null }[],
  periodStartMs: number,
  periodEndMs: number,
): PlanSegment[] {
  return history
    .map((h) => ({
      plan: h.plan,
      fromMs: Math.max(h.startsMs, periodStartMs),
      toMs: Math.min(h.endsMs ?? Number.MAX_SAFE_INTEGER, periodEndMs),
    }))
    .filter((s) => s.toMs > s.fromMs);
}

/** Which of the plans fits a month of usage best: the cheapest for the same hours (the recommendations use it). */
export function cheapestPlanFor(
  plans: readonly PlanTerms[],
  usage: readonly UsageHour[],
  exponent: number,
): { plan: PlanTerms; cost: bigint }[] {
  const startMs = usage[0]?.hourMs ?? 0;
  const endMs = startMs + Math.max(usage.length, 1) * HOUR;
  return plans
    .map((plan) => ({
      plan,
      cost: computeInvoice({
        periodStartMs: startMs,
        periodEndMs: endMs,
        segments: [{ plan, fromMs: startMs, toMs: endMs }],
        usage,
        exponent,
        taxPercent: 0n,
      }).subtotal,
    }))
    .sort((a, b) => (a.cost < b.cost ? -1 : a.cost > b.cost ? 1 : 0));
}
