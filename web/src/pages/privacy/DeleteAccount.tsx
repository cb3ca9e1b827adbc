import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { forgetCsrfToken } from '../../api/csrf';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SESSION_KEY } from '../../session/session';

/**
 * Deleting one's own account: typed e-mail address and the password. Owners are told by the API to delete or
 * hand over their organisations first. Afterwards this tab forgets everything and goes to sign-in.
 */
export function DeleteAccount({ email }: { email: string }) {
  const [open, setOpen] = useState(false);
  return (
    <section className="section card stack" aria-labelledby="delete-account">
      <h2 id="delete-account">Delete your account</h2>
      <p>
        Your profile, sessions, tokens, memberships and consents are erased and your encryption keys destroyed. This
        cannot be undone. If you own organisations, delete them or make someone else an owner first.
      </p>
      <div className="row">
        <Button variant="danger" onClick={() => setOpen(true)}>
          Delete your account…
        </Button>
      </div>
      <Dialog open={open} title="Delete your account?" onClose={() => setOpen(false)}>
        {open && <DeleteForm email={email} onClose={() => setOpen(false)} />}
      </Dialog>
    </section>
  );
}

function DeleteForm({ email, onClose }: { email: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState('');
  const remove = useMutation({
    gcTime: 0,
    mutationFn: (password: string) => call(api.POST('/api/me/deletion', { body: { password } })),
    onSuccess: () => {
      forgetCsrfToken();
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
      navigate('/signin', { replace: true });
    },
  });
  const errors = formErrors(remove.error, ['password'] as const);
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const password = formValue(new FormData(form), 'password');
    if (matches && password) remove.mutate(password, { onError: () => form.reset() });
  };
  return (
    <form method="post" onSubmit={submit} className="stack">
      <div className="dialog-body">
        <p>
          Everything Steward holds about you is erased. Organisations you own stop you here until they are deleted or
          handed over.
        </p>
      </div>
      <TextField
        label={`Type “${email}” to confirm`}
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
      <TextField
        label="Your password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={errors.field.password}
      />
      <ErrorNotice error={errors.form} title="The account was not deleted" />
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="danger" disabled={!matches} busy={remove.isPending} busyLabel="Deleting">
          Delete your account
        </Button>
      </div>
    </form>
  );
}
