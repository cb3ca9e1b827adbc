import { useId, type InputHTMLAttributes, type Ref } from 'react';
import { describedBy, FieldFrame, type FieldShell } from './FieldFrame';

export function TextField({
  label,
  hint,
  error,
  id: given,
  ref,
  ...input
}: FieldShell & InputHTMLAttributes<HTMLInputElement> & { ref?: Ref<HTMLInputElement> }) {
  const auto = useId();
  const id = given ?? auto;
  return (
    <FieldFrame label={label} hint={hint} error={error} id={id}>
      <input
        ref={ref}
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy(id, hint, error)}
        {...input}
      />
    </FieldFrame>
  );
}
