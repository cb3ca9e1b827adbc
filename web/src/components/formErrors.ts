import { isApiError } from '../api/errors';

/**
 * Splits an API error between a form's fields and the form as a whole: an error that names one of the form's
 * fields (in `details.field`, or a validation message such as "body.email: …") is shown under that field.
 */
export function formErrors<F extends string>(
  error: unknown,
  fields: readonly F[],
): { field: Partial<Record<F, string>>; form: unknown } {
  if (!isApiError(error)) return { field: {}, form: error };
  const named = error.field ?? /^(?:body|querystring|params)\.(\w+)/.exec(error.message)?.[1];
  if (named && (fields as readonly string[]).includes(named)) {
    const message = error.message.replace(/^(?:body|querystring|params)\.\w+:\s*/, '');
    return {
      field: { [named]: message.charAt(0).toUpperCase() + message.slice(1) } as Partial<Record<F, string>>,
      form: undefined,
    };
  }
  return { field: {}, form: error };
}

/** The string value of a form control, read at submit time (secret fields are never held in React state). */
export const formValue = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/**
 * A select's string as the API's enum: `value` when it is one of `choices`, else `fallback` (a select only offers
 * its options, so the fallback is for a page that was tampered with). No cast: the result is checked as T.
 */
export const oneOf = <const T extends string>(value: string, choices: readonly T[], fallback: T): T =>
  choices.find((choice) => choice === value) ?? fallback;
