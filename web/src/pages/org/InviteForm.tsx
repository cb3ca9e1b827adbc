import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewInvitation } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SecretOnce } from '../../components/SecretOnce';
import { Time } from '../../components/Time';
import { orgKey } from './queries';

interface Sent {
  email: string;
  link: string;
  expiresAt: string;
}

export function InviteForm({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [sent, setSent] = useState<Sent | null>(null);
  const invite = useMutation({
    mutationFn: (body: NewInvitation) =>
      call(api.POST('/api/orgs/{orgId}/invitations', { params: { path: { orgId } }, body })),
    onSuccess: async (answer, body) => {
      setSent({
        email: body.email,
        link: `${window.location.origin}/invite/${answer.token}`,
        expiresAt: answer.expiresAt,
      });
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'invitations') });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    invite.mutate(
      { email: formValue(form, 'email'), role: formValue(form, 'role') === 'owner' ? 'owner' : 'member' },
      { onSuccess: () => formElement.reset() },
    );
  };
  const errors = formErrors(invite.error, ['email', 'role'] as const);
  return (
    <section aria-labelledby="invite-heading" className="section card">
      <h2 id="invite-heading">Invite someone</h2>
      {sent ? (
        <>
          <SecretOnce
            label={`Invitation link for ${sent.email}`}
            value={sent.link}
            note="Send this link to them yourself. It is shown only now: Steward keeps a hash of it, not the link."
            onDone={() => setSent(null)}
          />
          <p className="field-hint">
            It works until <Time iso={sent.expiresAt} />, once, for {sent.email} only.
          </p>
        </>
      ) : (
        <form method="post" onSubmit={submit} className="inline-form">
          <TextField
            label="E-mail address"
            name="email"
            type="email"
            required
            autoComplete="off"
            error={errors.field.email}
          />
          <SelectField label="Role" name="role" defaultValue="member">
            <option value="member">Member</option>
            <option value="owner">Owner</option>
          </SelectField>
          <Button type="submit" variant="primary" busy={invite.isPending} busyLabel="Creating">
            Create invitation
          </Button>
        </form>
      )}
      <ErrorNotice error={errors.form} title="The invitation was not created" />
    </section>
  );
}
