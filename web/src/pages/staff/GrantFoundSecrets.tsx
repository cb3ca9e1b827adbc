import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/TextField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SecretOnce } from '../../components/SecretOnce';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';

type Found = { id: string; location: string; key: string; kind: string; firstSeenAt: string; goneAt: string | null };

/**
 * Credentials discovery found on a server, under the grant: where and what, listed when asked (read facts and
 * logs). With the grant's "reveal stored secrets" action a value can be shown, once, after a fresh one-time code;
 * it lives only in this component and is gone when the person presses Done.
 */
export function GrantFoundSecrets({
  grantId,
  server,
  mayReveal,
}: {
  grantId: string;
  server: { id: string; name: string };
  mayReveal: boolean;
}) {
  const path = { params: { path: { grantId, serverId: server.id } } };
  const list = useMutation({
    mutationFn: async () =>
      (await call(api.GET('/api/staff/grants/{grantId}/servers/{serverId}/found-secrets', path))).secrets,
  });
  const [asking, setAsking] = useState<Found | null>(null);
  const reveal = useMutation({
    mutationFn: ({ secret, totpCode }: { secret: Found; totpCode: string }) =>
      call(
        api.POST('/api/staff/grants/{grantId}/servers/{serverId}/found-secrets/{secretId}/reveal', {
          params: { path: { grantId, serverId: server.id, secretId: secret.id } },
          body: { totpCode },
        }),
      ),
    onSuccess: () => setAsking(null),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    if (asking) reveal.mutate({ secret: asking, totpCode: String(new FormData(formEl).get('totpCode') ?? '').trim() });
    // A code works once: the field empties whatever the answer.
    const code = formEl.elements.namedItem('totpCode');
    if (code instanceof HTMLInputElement) code.value = '';
  };
  return (
    <section className="section stack" aria-labelledby="work-found">
      <h3 id="work-found">Credentials found on {server.name}</h3>
      <div>
        <Button onClick={() => list.mutate()} busy={list.isPending} busyLabel="Listing">
          {list.data ? 'List again' : 'List the credentials found'}
        </Button>
      </div>
      <ErrorNotice error={list.error} title="The credentials could not be listed" />
      {list.data && (
        <SimpleTable<Found>
          caption={`Credentials found on ${server.name}`}
          rows={list.data}
          rowKey={(s) => s.id}
          empty="Discovery found no credential on this server."
          columns={[
            { header: 'Where', rowHeader: true, cell: (s) => <span className="mono small">{s.location}</span> },
            { header: 'Setting', cell: (s) => <code>{s.key}</code> },
            { header: 'Kind', cell: (s) => s.kind.replace(/_/g, ' ') },
            {
              header: 'Seen',
              cell: (s) =>
                s.goneAt ? (
                  <>
                    gone since <Time iso={s.goneAt} />
                  </>
                ) : (
                  <>
                    since <Time iso={s.firstSeenAt} />
                  </>
                ),
            },
            {
              header: 'Value',
              cell: (s) =>
                mayReveal ? (
                  <Button
                    variant="ghost"
                    onClick={() => {
                      reveal.reset();
                      setAsking(s);
                    }}
                  >
                    Reveal
                    <span className="visually-hidden">
                      {' '}
                      {s.key} in {s.location}
                    </span>
                  </Button>
                ) : (
                  <Badge>sealed</Badge>
                ),
            },
          ]}
        />
      )}
      {reveal.data && (
        <SecretOnce
          label={`${reveal.data.key} in ${reveal.data.location}`}
          value={reveal.data.value}
          note="Shown once: the reveal is in the customer’s timeline, and the value is gone from this page when you press Done."
          onDone={() => reveal.reset()}
        />
      )}
      <Dialog open={asking !== null} title={`Reveal ${asking?.key ?? ''}?`} onClose={() => setAsking(null)}>
        <form method="post" onSubmit={submit} className="stack">
          <div className="dialog-body stack">
            <p>
              The value of <code>{asking?.key}</code> in <span className="mono">{asking?.location}</span> is shown to
              you once. The customer sees the reveal in their timeline.
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
