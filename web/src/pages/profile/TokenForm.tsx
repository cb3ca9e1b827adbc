import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewApiToken } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SecretOnce } from '../../components/SecretOnce';
import { TOKENS_KEY } from './keys';

export function TokenForm() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const create = useMutation({
    mutationFn: (body: NewApiToken) => call(api.POST('/api/me/tokens', { body })),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const days = Number(formValue(form, 'expiresInDays'));
    const name = formValue(form, 'name');
    create.mutate(
      { name, ...(days > 0 ? { expiresInDays: days } : {}) },
      {
        onSuccess: async (answer) => {
          formElement.reset();
          setCreated({ name, token: answer.token });
          create.reset();
          await queryClient.invalidateQueries({ queryKey: TOKENS_KEY });
        },
      },
    );
  };
  const errors = formErrors(create.error, ['name'] as const);
  return (
    <section className="section card" aria-labelledby="new-token">
      <h2 id="new-token">Create a token</h2>
      {created ? (
        <SecretOnce
          label={`API token “${created.name}”`}
          value={created.token}
          note="Copy it now: it is shown only this once. Use it as “Authorization: Bearer <token>” or with STEWARD_TOKEN."
          onDone={() => setCreated(null)}
        />
      ) : (
        <form method="post" onSubmit={submit} className="inline-form">
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            hint="Where it is used, e.g. “deploy script”."
            error={errors.field.name}
          />
          <SelectField label="Expires" name="expiresInDays" defaultValue="90">
            <option value="30">In 30 days</option>
            <option value="90">In 90 days</option>
            <option value="365">In a year</option>
            <option value="0">Never</option>
          </SelectField>
          <Button type="submit" variant="primary" busy={create.isPending} busyLabel="Creating">
            Create token
          </Button>
        </form>
      )}
      <ErrorNotice error={errors.form} title="The token was not created" />
    </section>
  );
}
