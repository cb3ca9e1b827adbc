import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';

type Person = components['schemas']['MaskedPerson'];
type Field = Person['masked'][number];

/**
 * People of an organisation for staff. Fields come masked by role; revealing one asks for a reason and the
 * value is shown only in the dialog that asked, held in component state until it closes (never in the URL or
 * in storage).
 */
export function StaffPeople() {
  const [request, setRequest] = useState<{ orgId: string; reason: string } | null>(null);
  const [revealing, setRevealing] = useState<{ person: Person; field: Field } | null>(null);
  const people = useQuery({
    queryKey: ['staff', 'people', request],
    enabled: request !== null,
    gcTime: 0,
    queryFn: async () =>
      (
        await call(
          api.GET('/api/staff/orgs/{orgId}/people', {
            params: { path: { orgId: request!.orgId }, query: { reason: request!.reason } },
          }),
        )
      ).people,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setRequest({ orgId: formValue(form, 'orgId').trim(), reason: formValue(form, 'reason').trim() });
  };
  const errors = formErrors(people.error, ['orgId', 'reason'] as const);
  const shown = (p: Person, field: Field, value: string | null) =>
    p.masked.includes(field) ? (
      <span className="row">
        <span className="mono">{value ?? '—'}</span> <Badge>masked</Badge>
        <Button variant="ghost" onClick={() => setRevealing({ person: p, field })}>
          Reveal
          <span className="visually-hidden">
            {' '}
            the {field} of {p.name}
          </span>
        </Button>
      </span>
    ) : (
      (value ?? '—')
    );
  return (
    <>
      <PageHeader
        title="People of an organisation"
        description="Say why you need to look. The read and its reason are recorded; masked fields are revealed one at a time, each with its own reason."
      />
      <form method="post" onSubmit={submit} className="section card stack" aria-label="Whose people and why">
        <div className="grid-2">
          <TextField
            label="Organisation id"
            name="orgId"
            required
            pattern="org_[0-9a-z]{26}"
            spellCheck={false}
            placeholder="org_…"
            error={errors.field.orgId}
          />
          <TextField label="Reason" name="reason" required maxLength={500} error={errors.field.reason} />
        </div>
        <div>
          <Button type="submit" variant="primary" busy={people.isFetching} busyLabel="Reading">
            Show the people
          </Button>
        </div>
      </form>
      <div aria-live="polite">
        {request === null && <EmptyState title="Nothing read yet">Give an organisation and a reason above.</EmptyState>}
        {request !== null && people.isPending && <Loading label="Reading the people" />}
        <ErrorNotice error={errors.form} title="The people could not be read" />
        {people.data && (
          <SimpleTable
            caption="People of the organisation"
            rows={people.data}
            rowKey={(p) => p.id}
            empty="No one you may see."
            columns={[
              { header: 'Name', rowHeader: true, cell: (p) => shown(p, 'name', p.name) },
              { header: 'E-mail', cell: (p) => shown(p, 'email', p.email) },
              { header: 'Phone', cell: (p) => shown(p, 'phone', p.phone) },
              { header: 'Id', cell: (p) => <code>{p.id}</code> },
            ]}
          />
        )}
      </div>
      <Dialog
        open={revealing !== null}
        title={revealing ? `Reveal the ${revealing.field} of ${revealing.person.name}` : 'Reveal'}
        onClose={() => setRevealing(null)}
      >
        {revealing && (
          <RevealForm person={revealing.person} field={revealing.field} onClose={() => setRevealing(null)} />
        )}
      </Dialog>
    </>
  );
}

function RevealForm({ person, field, onClose }: { person: Person; field: Field; onClose: () => void }) {
  const reveal = useMutation({
    gcTime: 0,
    mutationFn: (reason: string) =>
      call(
        api.POST('/api/staff/people/{userId}/reveal', {
          params: { path: { userId: person.id } },
          body: { field, reason },
        }),
      ),
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    reveal.mutate(formValue(new FormData(event.currentTarget), 'reason').trim());
  };
  const errors = formErrors(reveal.error, ['reason'] as const);
  if (reveal.isSuccess) {
    return (
      <div className="stack">
        <p>
          The {field} of {person.name} (recorded with your reason):
        </p>
        <output className="mono" aria-label={`Revealed ${field}`}>
          {reveal.data.value ?? 'Not given'}
        </output>
        <div className="dialog-actions">
          <Button
            variant="primary"
            onClick={() => {
              reveal.reset();
              onClose();
            }}
          >
            Done
          </Button>
        </div>
      </div>
    );
  }
  return (
    <form method="post" onSubmit={submit} className="stack">
      <TextField
        label="Reason"
        name="reason"
        required
        maxLength={500}
        autoComplete="off"
        hint="Recorded with the field you reveal, never with its value."
        error={errors.field.reason}
      />
      <ErrorNotice error={errors.form} title="The field was not revealed" />
      <div className="dialog-actions">
        <Button onClick={onClose}>Cancel</Button>
        <Button type="submit" variant="primary" busy={reveal.isPending} busyLabel="Revealing">
          Reveal
        </Button>
      </div>
    </form>
  );
}
