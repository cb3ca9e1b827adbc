/**
 * Which table and bucket answer a metrics query: raw points while they are kept and the range is short,
 * minute roll-ups (re-bucketed) beyond. Charts get at most about `maxPoints` buckets per series. Pure.
 */
import { invalidInput } from '../../kernel/errors.js';
import type { BucketRow } from './metrics.store.js';

/** Bucket sizes in seconds; 1 means every raw point as it was sampled. */
export const RESOLUTIONS = [1, 10, 60, 300, 900, 3600, 10_800, 21_600, 86_400] as const;

export interface ResolutionInput {
  readonly fromS: number;
  readonly toS: number;
  readonly nowS: number;
  readonly rawRetentionS: number;
  readonly maxPoints: number;
  /** Seconds per bucket the caller wants; undefined = chosen by range. */
  readonly requested?: number;
}

export function chooseResolution(q: ResolutionInput): { table: 'raw' | 'minute'; bucket: number } {
  if (!(q.toS > q.fromS)) throw invalidInput('The time range is empty: `to` must be after `from`.', { field: 'to' });
  const rawCovers = q.fromS >= q.nowS - q.rawRetentionS;
  const span = q.toS - q.fromS;
  let bucket: number = q.requested ?? RESOLUTIONS.find((r) => span / r <= q.maxPoints) ?? 86_400;
  if (q.requested !== undefined && !(RESOLUTIONS as readonly number[]).includes(q.requested)) {
    throw invalidInput(`resolution must be one of ${RESOLUTIONS.join(', ')} seconds.`, { field: 'resolution' });
  }
  // Raw points older than their retention are gone: such a range is answered from minutes.
  if (bucket < 60 && !rawCovers) bucket = 60;
  return { table: bucket < 60 ? 'raw' : 'minute', bucket };
}

export interface SeriesPoints {
  /** Epoch seconds of each bucket's start. */
  readonly t: number[];
  readonly avg: number[];
  readonly min: number[];
  readonly max: number[];
}

/** Bucket rows of one series to parallel arrays (what chart libraries such as uPlot take). */
export function toSeries(rows: readonly BucketRow[]): SeriesPoints {
  const out: SeriesPoints = { t: [], avg: [], min: [], max: [] };
  for (const r of rows) {
    if (r.count <= 0) continue;
    out.t.push(r.bucket);
    out.avg.push(Math.round((r.sum / r.count) * 1000) / 1000);
    out.min.push(r.min);
    out.max.push(r.max);
  }
  return out;
}

/** What a metric's values are in, from its name. */
export function unitOf(metric: string): 'percent' | 'bytes' | 'bytes_per_second' | 'load' | 'count' {
  const family = metric.split(':')[0]!;
  if (family.endsWith('_pct')) return 'percent';
  if (family.endsWith('_bps')) return 'bytes_per_second';
  if (family.endsWith('_bytes')) return 'bytes';
  if (family.startsWith('load.')) return 'load';
  return 'count';
}

export const METRIC_NAME = /^[a-z][a-z0-9_]*\.[a-z0-9_]+(:[A-Za-z0-9_./@-]{1,100})?$/;
