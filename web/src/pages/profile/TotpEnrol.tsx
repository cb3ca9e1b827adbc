import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { refreshSession } from '../../session/session';

/**
 * Turning on the one-time-code second factor: Steward makes a secret, the person adds it to an authenticator
 * app (by the otpauth link or by typing the key) and proves it with a current code.
 */
export function TotpEnrol({ onEnrolled }: { onEnrolled?: () => void }) {
  const queryClient = useQueryClient();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauthUri: string } | null>(null);
  const begin = useMutation({ mutationFn: () => call(api.POST('/api/me/totp/enrol')), onSuccess: setEnrolment });
  const confirm = useMutation({
    mutationFn: (code: string) => call(api.POST('/api/me/totp/confirm', { body: { code } })),
    onSuccess: async () => {
      setEnrolment(null);
      await refreshSession(queryClient);
      onEnrolled?.();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    confirm.mutate(formValue(new FormData(event.currentTarget), 'code').replace(/\s+/g, ''));
  };
  const errors = formErrors(confirm.error, ['code'] as const);

  if (!enrolment) {
    return (
      <div className="stack">
        <ErrorNotice error={begin.error} title="The second factor could not be started" />
        <div>
          <Button variant="primary" busy={begin.isPending} busyLabel="Preparing" onClick={() => begin.mutate()}>
            Set up a second factor
          </Button>
        </div>
      </div>
    );
  }
  return (
    <div className="stack">
      <ol className="steps">
        <li>
          Open your authenticator app and add an account with this key (time-based, 6 digits, every 30 seconds):
          <p className="secret-key">
            Secret key: <code data-testid="totp-secret">{enrolment.secret}</code>
          </p>
          <details>
            <summary>Or use the setup link</summary>
            <p className="mono small wrap" data-testid="totp-uri">
              {enrolment.otpauthUri}
            </p>
          </details>
        </li>
        <li>
          Enter the code the app shows now:
          <form method="post" onSubmit={submit} className="inline-form">
            <TextField
              label="One-time code"
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              required
              error={errors.field.code}
              autoFocus
            />
            <Button type="submit" variant="primary" busy={confirm.isPending} busyLabel="Checking">
              Turn on
            </Button>
          </form>
        </li>
      </ol>
      <ErrorNotice error={errors.form} title="The second factor is not on yet" />
    </div>
  );
}
