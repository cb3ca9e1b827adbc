import type { Count } from './privacyOpsModel';

export function AnalyticsBars({ rows, label }: { rows: Count[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <svg
      className="chart-svg bars-svg"
      viewBox={`0 0 200 ${rows.length * 14}`}
      role="img"
      aria-label={label}
      preserveAspectRatio="none"
    >
      {rows.map((r, i) => (
        <rect key={r.key} className="chart-bar" x={0} y={i * 14 + 2} height={10} width={(r.count / max) * 200} />
      ))}
    </svg>
  );
}
