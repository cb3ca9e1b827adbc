import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../api/client';
import { Button } from '../components/Button';
import { TextField } from '../components/TextField';
import { formErrors, formValue } from '../components/formErrors';
import { ErrorNotice } from '../components/ErrorNotice';
import { PageHeader } from '../components/PageHeader';
import { refreshSession } from '../session/session';

/** Another organisation, owned by the person creating it (for a second company or team). */
export function NewOrg() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: (name: string) => call(api.POST('/api/orgs', { body: { name } })),
    onSuccess: async (org) => {
      await refreshSession(queryClient);
      navigate(`/orgs/${org.id}`);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    create.mutate(formValue(new FormData(event.currentTarget), 'name'));
  };
  const errors = formErrors(create.error, ['name'] as const);
  return (
    <>
      <PageHeader
        title="New organisation"
        description="Each organisation has its own members, credentials, servers and audit log. You will be its owner."
      />
      <form method="post" onSubmit={submit} className="section card stack narrow">
        <TextField
          label="Organisation name"
          name="name"
          required
          maxLength={100}
          autoComplete="organization"
          error={errors.field.name}
        />
        <ErrorNotice error={errors.form} title="The organisation was not created" />
        <div>
          <Button type="submit" variant="primary" busy={create.isPending} busyLabel="Creating">
            Create organisation
          </Button>
        </div>
      </form>
    </>
  );
}
