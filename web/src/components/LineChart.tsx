import { useId } from 'react';

export interface LinePoint {
  /** Epoch seconds. */
  readonly t: number;
  readonly v: number;
}

/** One line of a chart: what it is (a server's name on a fleet chart) and its points, oldest first. */
export interface ChartSeries {
  readonly label: string;
  readonly points: readonly LinePoint[];
}

interface Props {
  /** What the chart shows, such as "CPU busy"; it names the figure for screen readers. */
  title: string;
  /**
   * One line, or several (each in its own colour and dash, with a legend naming it and its latest value).
   * Without a legend, a lone line's latest value stands in the caption instead.
   */
  series: readonly ChartSeries[];
  /** The time range shown, in epoch seconds, so an empty stretch reads as no data rather than a squeeze. */
  from: number;
  to: number;
  format: (value: number) => string;
  /** A fixed top for the value axis (100 for percentages); otherwise the highest value, rounded up. */
  max?: number;
  /** Points further apart than this many seconds are not joined: the line stops where samples are missing. */
  gap?: number;
  /** Name the lines in a legend and table columns even when there is one (a fleet with one server); default: when several. */
  legend?: boolean;
  /** A line under the chart, such as which servers of how many are drawn. */
  note?: string;
}

/** Lines have eight looks: four colours, then the same four dashed. */
export const SERIES_LOOKS = 8;

// Drawn near the size it is shown at (a half-width card on a laptop), so the axis labels keep their size.
const W = 420;
const H = 180;
const PAD = { left: 52, right: 12, top: 10, bottom: 26 };

const timeLabel = (t: number, span: number) => {
  const d = new Date(t * 1000);
  return span > 86_400
    ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })
    : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
};

function niceTop(value: number): number {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= value) return m * step;
  return 10 * step;
}

/** A line's path, and the points joined to neither neighbour, which a path would not draw: they are dots. */
function trace(points: readonly LinePoint[], x: (t: number) => number, y: (v: number) => number, gap: number) {
  const joined = (i: number) => i > 0 && points[i]!.t - points[i - 1]!.t <= gap;
  const path = points.map((p, i) => `${joined(i) ? 'L' : 'M'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
  const alone = points.filter((_, i) => !joined(i) && !(i + 1 < points.length && joined(i + 1)));
  return { path, alone, drawsLine: points.length > alone.length };
}

/**
 * A line chart drawn as SVG: a time axis, a value axis with three grid lines, and one line per series. The
 * figure is named by its title and described by a one-line summary; the points are also a visually hidden
 * table (a column per series), so a screen reader can read the numbers the lines draw.
 */
export function LineChart({
  title,
  series,
  from,
  to,
  format,
  max,
  gap = Infinity,
  legend = series.length > 1,
  note,
}: Props) {
  const id = useId();
  const span = Math.max(1, to - from);
  const values = series.flatMap((s) => s.points.map((p) => p.v));
  const top = max ?? niceTop(Math.max(0, ...values));
  const x = (t: number) => PAD.left + ((t - from) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - Math.min(Math.max(v / top, 0), 1)) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.5, 1].map((f) => f * top);
  const times = [0, 0.5, 1].map((f) => from + f * span);
  const single = !legend && series.length === 1 ? series[0]! : null;
  const last = single?.points.at(-1);
  const samples = series.reduce((n, s) => n + s.points.length, 0);
  const summary =
    samples === 0
      ? `${title}: no samples in this range.`
      : single
        ? `${title}: ${samples} samples; latest ${format(last!.v)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}.`
        : `${title}: ${series.length} line${series.length === 1 ? '' : 's'}; ${series.map((s) => `${s.label} latest ${s.points.length ? format(s.points.at(-1)!.v) : 'none'}`).join(', ')}.`;
  // Rows of the hidden table: every time any series has a point.
  const rowTimes = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const valueAt = series.map((s) => new Map(s.points.map((p) => [p.t, p.v])));
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
        {last && <span className="chart-latest"> {format(last.v)}</span>}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="chart-svg"
        role="img"
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-summary`}
      >
        <g className="chart-grid">
          {ticks.map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
              <text x={PAD.left - 6} y={y(v)} textAnchor="end" dominantBaseline="middle">
                {format(v)}
              </text>
            </g>
          ))}
        </g>
        <g className="chart-axis">
          <line x1={PAD.left} x2={W - PAD.right} y1={H - PAD.bottom} y2={H - PAD.bottom} />
          {times.map((t, i) => (
            <text
              key={t}
              x={x(t)}
              y={H - PAD.bottom + 18}
              textAnchor={i === 0 ? 'start' : i === times.length - 1 ? 'end' : 'middle'}
            >
              {timeLabel(t, span)}
            </text>
          ))}
        </g>
        {series.map((s, i) => {
          const { path, alone, drawsLine } = trace(s.points, x, y, gap);
          return (
            <g key={`${i}-${s.label}`} className={`chart-series chart-s${i % SERIES_LOOKS}`}>
              {drawsLine && <path className="chart-line" d={path} />}
              {alone.map((p) => (
                <circle key={p.t} className="chart-dot" cx={x(p.t)} cy={y(p.v)} r={3} />
              ))}
            </g>
          );
        })}
      </svg>
      {!single && series.length > 0 && (
        <ul className="chart-legend" aria-label={`${title}: lines`}>
          {series.map((s, i) => (
            <li key={`${i}-${s.label}`} className={`chart-s${i % SERIES_LOOKS}`}>
              <svg className="chart-swatch" viewBox="0 0 24 8" aria-hidden="true">
                <line x1="0" x2="24" y1="4" y2="4" />
              </svg>
              {s.label} <span className="chart-latest">{s.points.length ? format(s.points.at(-1)!.v) : '—'}</span>
            </li>
          ))}
        </ul>
      )}
      {note && <p className="muted small">{note}</p>}
      <p id={`${id}-summary`} className="visually-hidden">
        {summary}
      </p>
      {samples > 0 && (
        <table className="visually-hidden">
          <caption>{title}, by time</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              {single ? (
                <th scope="col">Value</th>
              ) : (
                series.map((s, i) => (
                  <th key={`${i}-${s.label}`} scope="col">
                    {s.label}
                  </th>
                ))
              )}
            </tr>
          </thead>
          <tbody>
            {rowTimes.map((t) => (
              <tr key={t}>
                <th scope="row">{new Date(t * 1000).toLocaleString()}</th>
                {valueAt.map((m, i) => (
                  <td key={i}>{m.has(t) ? format(m.get(t)!) : '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
