import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewTerms } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';

/** Publishing a terms of service version (admin): sign-up asks for the newest; a material one holds everyone. */
export function PublishTerms() {
  const [draft, setDraft] = useState<NewTerms | null>(null);
  const [status, setStatus] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const publish = useMutation({
    mutationFn: (body: NewTerms) => call(api.POST('/api/staff/terms', { body })),
    onSuccess: (t) => {
      setDraft(null);
      formRef.current?.reset();
      setStatus(`Terms version ${t.version} are published.`);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    publish.reset();
    setDraft({
      version: formValue(form, 'version').trim(),
      title: formValue(form, 'title').trim(),
      body: formValue(form, 'body').trim(),
      changes: formValue(form, 'changes').trim(),
      material: formValue(form, 'materiality') === 'material',
    });
  };
  const errors = formErrors(publish.error, ['version', 'title', 'body', 'changes'] as const);
  return (
    <section className="section stack" aria-labelledby="terms-title">
      <h2 id="terms-title">Publish a terms of service version</h2>
      <form ref={formRef} method="post" onSubmit={submit} className="card stack">
        <div className="grid-2">
          <TextField
            label="Terms version"
            name="version"
            required
            maxLength={40}
            placeholder="2026-12"
            error={errors.field.version}
          />
          <TextField label="Terms title" name="title" required maxLength={200} error={errors.field.title} />
        </div>
        <TextAreaField label="Text of the terms" name="body" required rows={6} error={errors.field.body} />
        <TextAreaField
          label="Summary of the changes"
          name="changes"
          required
          rows={2}
          maxLength={5000}
          error={errors.field.changes}
        />
        <fieldset className="stack tight">
          <legend>Kind of change to the terms</legend>
          <label className="choice">
            <input type="radio" name="materiality" value="minor" defaultChecked /> Not material: new sign-ups accept it,
            no one else is asked
          </label>
          <label className="choice">
            <input type="radio" name="materiality" value="material" /> Material: every person is e-mailed and must
            accept it at their next sign-in
          </label>
        </fieldset>
        <div>
          <Button type="submit" variant="primary">
            Publish the terms…
          </Button>
        </div>
      </form>
      <LiveStatus message={status} />
      <ErrorNotice error={draft ? undefined : errors.form} title="The terms were not published" />
      <Dialog
        open={draft !== null}
        title={`Publish terms version ${draft?.version ?? ''}?`}
        onClose={() => setDraft(null)}
      >
        {draft && (
          <div className="stack">
            <p>
              {draft.material
                ? 'This is a material change: every person is e-mailed and must accept it before using Steward again.'
                : 'This change is not material: sign-up asks for it from now on, and no one else is asked.'}
            </p>
            <p>
              <strong>{draft.title}</strong>
            </p>
            <ErrorNotice error={publish.error} title="The terms were not published" />
            <div className="dialog-actions">
              <Button onClick={() => setDraft(null)}>Cancel</Button>
              <Button
                variant="primary"
                busy={publish.isPending}
                busyLabel="Publishing"
                onClick={() => publish.mutate(draft)}
              >
                Publish terms version {draft.version}
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </section>
  );
}
