import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { PasswordChange } from '../../api/types';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';

/** Changes the password. The API ends every other session of the person; this one stays signed in. */
export function PasswordForm() {
  const [mismatch, setMismatch] = useState(false);
  const [done, setDone] = useState(false);
  const change = useMutation({
    mutationFn: (body: PasswordChange) => call(api.POST('/api/me/password', { body })),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const newPassword = formValue(form, 'newPassword');
    setDone(false);
    if (newPassword !== formValue(form, 'repeat')) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    change.mutate(
      { currentPassword: formValue(form, 'currentPassword'), newPassword },
      {
        onSuccess: () => {
          formElement.reset();
          setDone(true);
          change.reset();
        },
      },
    );
  };
  const errors = formErrors(change.error, ['password'] as const);
  return (
    <section className="section card" aria-labelledby="password-heading">
      <h2 id="password-heading">Password</h2>
      <form method="post" onSubmit={submit} className="stack narrow">
        <TextField
          label="Current password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
        />
        <TextField
          label="New password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={10}
          hint="At least 10 characters."
          error={errors.field.password}
        />
        <TextField
          label="New password again"
          name="repeat"
          type="password"
          autoComplete="new-password"
          required
          error={mismatch ? 'The two new passwords differ; type the same one twice.' : undefined}
        />
        <ErrorNotice error={errors.form} title="The password was not changed" />
        {done && <Success>Your password is changed. Your other sessions have been signed out.</Success>}
        <div>
          <Button type="submit" variant="primary" busy={change.isPending} busyLabel="Changing">
            Change password
          </Button>
        </div>
      </form>
    </section>
  );
}
