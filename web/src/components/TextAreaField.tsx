import { useId, type TextareaHTMLAttributes } from 'react';
import { describedBy, FieldFrame, type FieldShell } from './FieldFrame';

export function TextAreaField({
  label,
  hint,
  error,
  id: given,
  ...area
}: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const auto = useId();
  const id = given ?? auto;
  return (
    <FieldFrame label={label} hint={hint} error={error} id={id}>
      <textarea
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...area}
      />
    </FieldFrame>
  );
}
