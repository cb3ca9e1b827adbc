import { useId } from 'react';

export interface LinePoint {
  /** Epoch seconds. */
  readonly t: number;
  readonly v: number;
}

interface Props {
  /** What the chart shows, such as "CPU busy"; it names the figure for screen readers. */
  title: string;
  points: readonly LinePoint[];
  /** The time range shown, in epoch seconds, so an empty stretch reads as no data rather than a squeeze. */
  from: number;
  to: number;
  format: (value: number) => string;
  /** A fixed top for the value axis (100 for percentages); otherwise the highest value, rounded up. */
  max?: number;
  /** Points further apart than this many seconds are not joined: the line stops where samples are missing. */
  gap?: number;
}

// Drawn near the size it is shown at (a half-width card on a laptop), so the axis labels keep their size.
const W = 420;
const H = 180;
const PAD = { left: 52, right: 12, top: 10, bottom: 26 };

const timeLabel = (t: number, span: number) => {
  const d = new Date(t * 1000);
  return span > 86_400 ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
};

function niceTop(value: number): number {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

/**
 * A line chart drawn as SVG: a time axis, a value axis with three grid lines, and the line itself. The figure
 * is named by its title and described by a one-line summary; the points are also a visually hidden table, so
 * a screen reader can read the numbers the line draws.
 */
export function LineChart({ title, points, from, to, format, max, gap = Infinity }: Props) {
  const id = useId();
  const span = Math.max(1, to - from);
  const values = points.map((p) => p.v);
  const top = max ?? niceTop(Math.max(0, ...values));
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - Math.min(Math.max(v / top, 0), 1)) * (H - PAD.top - PAD.bottom);
  const joined = (i: number) => i > 0 && points[i]!.t - points[i - 1]!.t <= gap;
  const path = points.map((p, i) => `${joined(i) ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  // A point joined to neither neighbour would draw nothing as a path: it is drawn as a dot.
  const alone = points.filter((_, i) => !joined(i) && !(i + 1 < points.length && joined(i + 1)));
  const ticks = [0, 0.5, 1].map((f) => f * top);
  const times = [0, 0.5, 1].map((f) => from + f * span);
  const last = points.at(-1);
  const summary = points.length === 0
    ? `${title}: no samples in this range.`
    : `${title}: ${points.length} samples; latest ${format(last!.v)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}.`;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">{title}{last && <span className="chart-latest"> {format(last.v)}</span>}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-svg" role="img" aria-labelledby={`${id}-title`} aria-describedby={`${id}-summary`}>
        <g className="chart-grid">
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">{format(v)}</text>
            </g>
          ))}
        </g>
        <g className="chart-axis">
          <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
          {times.map((t, i) => (
            <text key={t} x={x(t)} y={H - PAD.bottom + 18} textAnchor={i === 0 ? 'start' : i === times.length - 1 ? 'end' : 'middle'}>{timeLabel(t, span)}</text>
          ))}
        </g>
        {points.length > alone.length && <path className="chart-line" d={path} />}
        {alone.map((p) => <circle key={p.t} className="chart-dot" cx={x(p.t)} cy={y(p.v)} r={3} />)}
      </svg>
      <p id={`${id}-summary`} className="visually-hidden">{summary}</p>
      {points.length > 0 && (
        <table className="visually-hidden">
          <caption>{title}, by time</caption>
          <thead><tr><th scope="col">Time</th><th scope="col">Value</th></tr></thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.t}><th scope="row">{new Date(p.t * 1000).toLocaleString()}</th><td>{format(p.v)}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
