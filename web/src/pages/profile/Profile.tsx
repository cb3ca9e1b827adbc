import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { ProfileChange } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { refreshSession, useSignedIn } from '../../session/session';

/** Name and phone (sealed at rest like all personal data); the e-mail address is shown, not editable here. */
export function Profile() {
  const { user } = useSignedIn();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: (body: ProfileChange) => call(api.PATCH('/api/me', { body })),
    onSuccess: () => refreshSession(queryClient),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const phone = formValue(form, 'phone').trim();
    save.mutate({ name: formValue(form, 'name'), phone: phone || null });
  };
  const errors = formErrors(save.error, ['name', 'phone'] as const);
  return (
    <>
      <PageHeader
        title="Profile"
        description="Your personal details are encrypted at rest; staff see them only where their role needs it."
      />
      <section className="section card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <dl className="facts">
          <dt>E-mail address</dt>
          <dd>{user.email}</dd>
          <dt>Account type</dt>
          <dd>
            {user.kind === 'staff' ? (
              <>
                Staff{' '}
                {user.staffRoles.map((r) => (
                  <Badge key={r}>{r}</Badge>
                ))}
              </>
            ) : (
              'Customer'
            )}
          </dd>
          <dt>Second factor</dt>
          <dd>{user.totpEnabled ? <Badge tone="ok">On</Badge> : <Badge tone="warn">Off</Badge>}</dd>
          <dt>Member since</dt>
          <dd>
            <Time iso={user.createdAt} />
          </dd>
        </dl>
      </section>
      <section className="section card" aria-labelledby="details-heading">
        <h2 id="details-heading">Details</h2>
        <form method="post" onSubmit={submit} className="stack narrow" key={`${user.name}|${user.phone ?? ''}`}>
          <TextField
            label="Name"
            name="name"
            defaultValue={user.name}
            required
            maxLength={200}
            autoComplete="name"
            error={errors.field.name}
          />
          <TextField
            label="Phone (optional)"
            name="phone"
            type="tel"
            defaultValue={user.phone ?? ''}
            autoComplete="tel"
            hint="Leave empty to remove it."
            error={errors.field.phone}
          />
          <ErrorNotice error={errors.form} title="Your details were not saved" />
          {save.isSuccess && <Success>Your details are saved.</Success>}
          <div>
            <Button type="submit" variant="primary" busy={save.isPending} busyLabel="Saving">
              Save details
            </Button>
          </div>
        </form>
      </section>
    </>
  );
}
