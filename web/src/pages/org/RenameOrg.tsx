import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { refreshSession } from '../../session/session';
import { orgKey } from './queries';

/** Owners rename their organisation; the sidebar and switcher follow through the session. */
export function RenameOrg({ orgId, currentName }: { orgId: string; currentName: string }) {
  const queryClient = useQueryClient();
  const rename = useMutation({
    mutationFn: (name: string) => call(api.PATCH('/api/orgs/{orgId}', { params: { path: { orgId } }, body: { name } })),
    onSuccess: async () => {
      await Promise.all([queryClient.invalidateQueries({ queryKey: orgKey(orgId) }), refreshSession(queryClient)]);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    rename.mutate(formValue(new FormData(event.currentTarget), 'name'));
  };
  const errors = formErrors(rename.error, ['name'] as const);
  return (
    <section aria-labelledby="rename-heading" className="section card">
      <h2 id="rename-heading">Name</h2>
      <form method="post" onSubmit={submit} className="inline-form" key={currentName}>
        <TextField
          label="Organisation name"
          name="name"
          defaultValue={currentName}
          required
          maxLength={100}
          error={errors.field.name}
        />
        <Button type="submit" busy={rename.isPending} busyLabel="Saving">
          Rename
        </Button>
      </form>
      <ErrorNotice error={errors.form} />
      {rename.isSuccess && <Success>The organisation is now called {rename.data.name}.</Success>}
    </section>
  );
}
