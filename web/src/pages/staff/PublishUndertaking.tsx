import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewUndertaking } from '../../api/types';
import { Button } from '../../components/Button';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';

/**
 * Publishing a confidentiality undertaking version (admin, with a fresh one-time code): every other staff member's
 * roles are inactive until they accept it; the publisher's acceptance is recorded with the code.
 */
export function PublishUndertaking() {
  const client = useQueryClient();
  const [status, setStatus] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const publish = useMutation({
    mutationFn: (body: NewUndertaking) => call(api.POST('/api/staff/undertakings', { body })),
    onSuccess: async (u) => {
      formRef.current?.reset();
      setStatus(`Version ${u.version} is published; other staff must accept it before their roles work again.`);
      await client.invalidateQueries();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    publish.mutate({
      version: formValue(form, 'version').trim(),
      title: formValue(form, 'title').trim(),
      body: formValue(form, 'body').trim(),
      code: formValue(form, 'code').trim(),
    });
  };
  const errors = formErrors(publish.error, ['version', 'title', 'body', 'code'] as const);
  return (
    <section className="section stack" aria-labelledby="publish-undertaking">
      <h2 id="publish-undertaking">Publish a new version</h2>
      <form ref={formRef} method="post" onSubmit={submit} className="card stack">
        <div className="grid-2">
          <TextField label="Version" name="version" required maxLength={40} error={errors.field.version} />
          <TextField
            label="Title"
            name="title"
            required
            maxLength={200}
            defaultValue="Staff confidentiality undertaking"
            error={errors.field.title}
          />
        </div>
        <TextAreaField label="Text of the undertaking" name="body" required rows={6} error={errors.field.body} />
        <TextField
          label="Your one-time code"
          name="code"
          hint="Every other staff member’s roles stop until they accept the new version."
          inputMode="numeric"
          autoComplete="one-time-code"
          required
          error={errors.field.code}
        />
        <div>
          <Button type="submit" variant="primary" busy={publish.isPending} busyLabel="Publishing">
            Publish this version
          </Button>
        </div>
      </form>
      <LiveStatus message={status} />
      <ErrorNotice error={errors.form} title="The undertaking was not published" />
    </section>
  );
}
