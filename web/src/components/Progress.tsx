import { useId } from 'react';

interface Props {
  /** Work finished so far (done and failed alike). */
  value: number;
  max: number;
  /** What is progressing, for the progress bar's name: "Servers finished". */
  label: string;
  /** The words shown next to the bar; they repeat the numbers for everyone, not only screen readers. */
  detail?: string;
}

/** A native progress bar with its numbers in words; indeterminate while the total is not known yet. */
export function ProgressBar({ value, max, label, detail }: Props) {
  const id = useId();
  return (
    <div className="progress">
      <div className="progress-head">
        <span id={id} className="progress-label">
          {label}
        </span>
        <span className="muted small">{detail ?? (max > 0 ? `${value} of ${max}` : 'Starting…')}</span>
      </div>
      {max > 0 ? <progress aria-labelledby={id} value={value} max={max} /> : <progress aria-labelledby={id} />}
    </div>
  );
}
