/**
 * A disk filling fast: over the recent points (at least five minutes of them), free space falls at a rate
 * that would fill the disk within the threshold. A least-squares slope, so one noisy sample does not decide.
 */
import type { DiskTrend, Rule } from '../detection.types.js';

/** Free bytes lost per second (positive when filling), or null when there is too little history. */
export function fillRate(points: DiskTrend['points']): number | null {
  if (points.length < 3) return null;
  const t0 = points[0]![0];
  if (points[points.length - 1]![0] - t0 < 300) return null;
  const n = points.length;
  const mx = points.reduce((s, p) => s + (p[0] - t0), 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, y] of points) {
    num += (t - t0 - mx) * (y - my);
    den += (t - t0 - mx) ** 2;
  }
  return den === 0 ? null : -num / den;
}

export const diskFilling: Rule = ({ disks, thresholds }) =>
  disks.flatMap((d) => {
    const rate = fillRate(d.points);
    const free = d.points[d.points.length - 1]?.[1];
    if (rate === null || rate <= 0 || free === undefined) return [];
    const hoursLeft = free / rate / 3600;
    if (hoursLeft > thresholds.diskFullWithinHours) return [];
    return [
      {
        rule: 'disk_filling' as const,
        key: d.mount,
        severity: hoursLeft <= 0.5 ? ('critical' as const) : ('warning' as const),
        title: `Disk ${d.mount} is filling fast: full in about ${hoursLeft < 1 ? `${Math.max(1, Math.round(hoursLeft * 60))} minutes` : `${hoursLeft.toFixed(1)} hours`}`,
        evidence: {
          mount: d.mount,
          freeBytes: free,
          sizeBytes: d.sizeBytes,
          bytesPerMinute: Math.round(rate * 60),
          hoursLeft: Math.round(hoursLeft * 100) / 100,
          points: d.points.length,
        },
      },
    ];
  });
