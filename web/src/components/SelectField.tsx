import { useId, type SelectHTMLAttributes } from 'react';
import { describedBy, FieldFrame, type FieldShell } from './FieldFrame';

export function SelectField({
  label,
  hint,
  error,
  id: given,
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement>) {
  const auto = useId();
  const id = given ?? auto;
  return (
    <FieldFrame label={label} hint={hint} error={error} id={id}>
      <select
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...select}
      >
        {children}
      </select>
    </FieldFrame>
  );
}
