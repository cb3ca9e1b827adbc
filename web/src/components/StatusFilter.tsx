import type { JobStatus } from '../api/types';
import { SelectField } from './SelectField';

const STATUSES: JobStatus[] = ['queued', 'running', 'done', 'failed'];

export function StatusFilter({
  value,
  onChange,
}: {
  value: JobStatus | undefined;
  onChange: (status: JobStatus | undefined) => void;
}) {
  return (
    <div className="filter">
      <SelectField
        label="Status"
        value={value ?? ''}
        onChange={(event) => onChange((event.target.value || undefined) as JobStatus | undefined)}
      >
        <option value="">All</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </SelectField>
    </div>
  );
}
