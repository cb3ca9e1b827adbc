import type { ReactNode } from 'react';

/** What every field takes besides its control's own attributes. */
export interface FieldShell {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

/**
 * Label, control, hint and error wired together with ids, so screen readers read them as one. Shared by TextField,
 * SelectField, TextAreaField and SecretField; pages use those, not this.
 */
export function FieldFrame({ label, hint, error, id, children }: FieldShell & { id: string; children: ReactNode }) {
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The control's aria-describedby: the ids of the hint and error FieldFrame renders, when they are shown. */
export const describedBy = (id: string, hint: unknown, error: unknown) =>
  [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
