/** The time ranges a metrics chart offers, in seconds, with their short names. */
export const RANGES = [
  [3600, '1 h'],
  [6 * 3600, '6 h'],
  [24 * 3600, '24 h'],
  [7 * 86_400, '7 d'],
] as const;

/** Buttons for the range a chart shows: "Last 1 h" and so on to a screen reader, the pressed one is shown. */
export function RangePicker({ value, onChange }: { value: number; onChange: (seconds: number) => void }) {
  return (
    <div className="range-picker" role="group" aria-label="Time range">
      {RANGES.map(([seconds, short]) => (
        <button key={seconds} type="button" aria-pressed={value === seconds} onClick={() => onChange(seconds)}>
          <span className="visually-hidden">Last </span>
          {short}
        </button>
      ))}
    </div>
  );
}
