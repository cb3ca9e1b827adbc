interface Props {
  steps: readonly string[];
  /** Index of the step shown now. */
  current: number;
  label: string;
}

/** The steps of a form split over several screens: which one is shown, which are behind and ahead. */
export function WizardSteps({ steps, current, label }: Props) {
  return (
    <ol className="wizard-steps" aria-label={label}>
      {steps.map((step, i) => (
        <li
          key={step}
          className={i < current ? 'done' : i === current ? 'current' : 'todo'}
          aria-current={i === current ? 'step' : undefined}
        >
          <span className="wizard-step-number" aria-hidden="true">
            {i < current ? '✓' : i + 1}
          </span>
          <span>{step}</span>
          {i < current && <span className="visually-hidden"> (done)</span>}
        </li>
      ))}
    </ol>
  );
}

/**
 * Checks the fields of one step (the browser shows its own messages); true when the person may go on. The
 * form itself is `noValidate`: the browser would otherwise refuse to submit over required fields on screens
 * that are hidden, without saying which.
 */
export function stepIsValid(step: HTMLFieldSetElement | null): boolean {
  if (!step) return true;
  for (const element of Array.from(step.elements)) {
    const control = element as HTMLInputElement;
    if (typeof control.reportValidity === 'function' && !control.disabled && !control.reportValidity()) return false;
  }
  return true;
}
