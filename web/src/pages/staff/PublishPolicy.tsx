import { useMutation } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewPolicy } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { LiveStatus } from '../../components/LiveStatus';

export function PublishPolicy() {
  const [draft, setDraft] = useState<NewPolicy | null>(null);
  const [status, setStatus] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const publish = useMutation({
    mutationFn: (body: NewPolicy) => call(api.POST('/api/staff/policies', { body })),
    onSuccess: (p) => {
      setDraft(null);
      formRef.current?.reset();
      setStatus(`Version ${p.version} is published.`);
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
      significant: formValue(form, 'significance') === 'significant',
    });
  };
  const errors = formErrors(publish.error, ['version', 'title', 'body', 'changes'] as const);
  return (
    <section className="section stack" aria-labelledby="policy-title">
      <h2 id="policy-title">Publish a policy version</h2>
      <form ref={formRef} method="post" onSubmit={submit} className="card stack">
        <div className="grid-2">
          <TextField
            label="Version"
            name="version"
            required
            maxLength={40}
            placeholder="2026-12"
            error={errors.field.version}
          />
          <TextField label="Title" name="title" required maxLength={200} error={errors.field.title} />
        </div>
        <TextAreaField label="Text of the policy" name="body" required rows={6} error={errors.field.body} />
        <TextAreaField
          label="What changed"
          name="changes"
          required
          rows={2}
          maxLength={5000}
          error={errors.field.changes}
        />
        <fieldset className="stack tight">
          <legend>Kind of change</legend>
          <label className="choice">
            <input type="radio" name="significance" value="minor" defaultChecked /> Minor: no one is told
          </label>
          <label className="choice">
            <input type="radio" name="significance" value="significant" /> Significant: every person is e-mailed and
            asked to acknowledge it
          </label>
        </fieldset>
        <div>
          <Button type="submit" variant="primary">
            Publish…
          </Button>
        </div>
      </form>
      <LiveStatus message={status} />
      <ErrorNotice error={draft ? undefined : errors.form} title="The policy was not published" />
      <Dialog open={draft !== null} title={`Publish version ${draft?.version ?? ''}?`} onClose={() => setDraft(null)}>
        {draft && (
          <div className="stack">
            <p>
              {draft.significant
                ? 'This is a significant change: every person gets an e-mail and a notice to acknowledge it.'
                : 'This is a minor change: the new text is published without telling anyone.'}
            </p>
            <p>
              <strong>{draft.title}</strong>
            </p>
            <ErrorNotice error={publish.error} title="The policy was not published" />
            <div className="dialog-actions">
              <Button onClick={() => setDraft(null)}>Cancel</Button>
              <Button
                variant="primary"
                busy={publish.isPending}
                busyLabel="Publishing"
                onClick={() => publish.mutate(draft)}
              >
                Publish version {draft.version}
              </Button>
            </div>
          </div>
        )}
      </Dialog>
    </section>
  );
}
