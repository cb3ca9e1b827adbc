import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/TextField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SecretOnce } from '../../components/SecretOnce';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { staffKey } from './queries';

type Credential = components['schemas']['Credential'];

const KIND_LABELS: Record<Credential['kind'], string> = {
  password: 'Password',
  ssh_private_key: 'SSH private key',
  api_key: 'API key',
  database_password: 'Database password',
  other: 'Other',
};

/**
 * The credentials the customer stored with Steward, by name and hint, under a grant with "reveal stored secrets".
 * A value is shown once, after a fresh one-time code; it lives only in this component and is gone when the person
 * presses Done. The reveal is in the customer's timeline.
 */
export function GrantCredentials({ grantId }: { grantId: string }) {
  const list = useQuery({
    queryKey: staffKey('grant', grantId, 'credentials'),
    queryFn: async () =>
      (await call(api.GET('/api/staff/grants/{grantId}/credentials', { params: { path: { grantId } } }))).credentials,
  });
  const [asking, setAsking] = useState<Credential | null>(null);
  const reveal = useMutation({
    mutationFn: ({ credential, totpCode }: { credential: Credential; totpCode: string }) =>
      call(
        api.POST('/api/staff/grants/{grantId}/credentials/{credentialId}/reveal', {
          params: { path: { grantId, credentialId: credential.id } },
          body: { totpCode },
        }),
      ).then((out) => ({ ...out, name: credential.name })),
    onSuccess: () => setAsking(null),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    if (asking)
      reveal.mutate({ credential: asking, totpCode: String(new FormData(formEl).get('totpCode') ?? '').trim() });
    // A code works once: the field empties whatever the answer.
    const code = formEl.elements.namedItem('totpCode');
    if (code instanceof HTMLInputElement) code.value = '';
  };
  return (
    <section className="section stack" aria-labelledby="work-credentials">
      <h2 id="work-credentials">Stored credentials</h2>
      <ErrorNotice error={list.error} title="The credentials could not be listed" onRetry={() => void list.refetch()} />
      {list.data && (
        <SimpleTable<Credential>
          caption="Credentials the customer stored"
          rows={list.data}
          rowKey={(c) => c.id}
          empty="The customer stored no credentials."
          columns={[
            { header: 'Name', rowHeader: true, cell: (c) => c.name },
            { header: 'Kind', cell: (c) => KIND_LABELS[c.kind] },
            { header: 'Hint', cell: (c) => <span className="mono small">{c.hint}</span> },
            { header: 'Changed', cell: (c) => <Time iso={c.updatedAt} /> },
            {
              header: 'Value',
              cell: (c) => (
                <Button
                  variant="ghost"
                  onClick={() => {
                    reveal.reset();
                    setAsking(c);
                  }}
                >
                  Reveal<span className="visually-hidden"> {c.name}</span>
                </Button>
              ),
            },
          ]}
        />
      )}
      {reveal.data && (
        <SecretOnce
          label={reveal.data.name}
          value={reveal.data.value}
          note="Shown once: the reveal is in the customer’s timeline, and the value is gone from this page when you press Done."
          onDone={() => reveal.reset()}
        />
      )}
      <Dialog open={asking !== null} title={`Reveal ${asking?.name ?? ''}?`} onClose={() => setAsking(null)}>
        <form method="post" onSubmit={submit} className="stack">
          <div className="dialog-body stack">
            <p>
              The value of <strong>{asking?.name}</strong> is shown to you once. The customer sees the reveal in their
              timeline.
            </p>
            <TextField
              label="One-time code"
              name="totpCode"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="\d{6}"
              maxLength={6}
              required
              className="narrow-input"
              autoFocus
            />
          </div>
          <ErrorNotice error={reveal.error} title="The value was not revealed" />
          <div className="dialog-actions">
            <Button onClick={() => setAsking(null)}>Cancel</Button>
            <Button type="submit" variant="primary" busy={reveal.isPending} busyLabel="Revealing">
              Reveal the value
            </Button>
          </div>
        </form>
      </Dialog>
    </section>
  );
}
