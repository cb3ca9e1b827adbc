import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { Credential, CredentialKind, NewCredential } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue, oneOf } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { SecretField } from '../../components/SecretField';
import { KIND_LABELS, KINDS } from './credentialKinds';
import { orgKey } from './queries';

/** Seals a new credential. The value goes from the field to the API and nowhere else; the form is then cleared. */
export function CredentialForm({ orgId }: { orgId: string }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<CredentialKind>('password');
  const fromFile = useRef<string | null>(null);
  const [sealed, setSealed] = useState<Credential | null>(null);
  const seal = useMutation({
    mutationFn: (body: NewCredential) =>
      call(api.POST('/api/orgs/{orgId}/credentials', { params: { path: { orgId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'credentials') }),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const body = { kind, name: formValue(form, 'name'), value: fromFile.current ?? formValue(form, 'value') };
    setSealed(null);
    seal.mutate(body, {
      onSuccess: (credential) => {
        formElement.reset();
        fromFile.current = null;
        setKind('password');
        setSealed(credential);
        // The mutation remembers its variables, the secret among them; forget them now that it is sealed.
        seal.reset();
      },
    });
  };
  const errors = formErrors(seal.error, ['name', 'value'] as const);
  return (
    <section aria-labelledby="new-credential" className="section card">
      <h2 id="new-credential">Add a credential</h2>
      <form method="post" onSubmit={submit} className="stack" aria-describedby="seal-note">
        <div className="grid-2">
          <SelectField
            label="Kind"
            name="kind"
            value={kind}
            onChange={(event) => setKind(oneOf(event.target.value, KINDS, 'password'))}
          >
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABELS[k]}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            autoComplete="off"
            hint="How you will recognise it, e.g. “Production database”."
            error={errors.field.name}
          />
        </div>
        <SecretField
          key={kind}
          label="Secret value"
          allowFile={kind === 'ssh_private_key'}
          onFile={(text) => (fromFile.current = text)}
          hint={
            kind === 'ssh_private_key'
              ? 'A private key spans several lines: load the key file rather than pasting it.'
              : undefined
          }
          error={errors.field.value}
        />
        <p id="seal-note" className="field-hint">
          The value is sealed in Steward’s vault. Nobody can read it back through the console or the API, you included:
          only a hint such as its last four characters is shown.
        </p>
        <ErrorNotice error={errors.form} title="The credential was not stored" />
        {sealed && (
          <Success>
            “{sealed.name}” is sealed. Its hint is {sealed.hint}.
          </Success>
        )}
        <div>
          <Button type="submit" variant="primary" busy={seal.isPending} busyLabel="Sealing">
            Seal credential
          </Button>
        </div>
      </form>
    </section>
  );
}
