import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { NewDisclosure } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextAreaField } from '../../components/TextAreaField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue, oneOf } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import type { Disclosure, Kind } from './privacyOpsModel';
import { KIND_LABEL } from './privacyOpsModel';

const FIELDS = [
  'kind',
  'recipient',
  'description',
  'agreementRef',
  'legalBasis',
  'reference',
  'dataCategories',
  'orgIds',
] as const;

export function DisclosureForm({ onDone, onCancel }: { onDone: (d: Disclosure) => void; onCancel: () => void }) {
  const [kind, setKind] = useState<Kind>('partner');
  const record = useMutation({
    mutationFn: (body: Parameters<typeof recordBody>[0]) =>
      call(api.POST('/api/staff/disclosures', { body: recordBody(body) })),
    onSuccess: onDone,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    record.mutate({ kind, form });
  };
  const errors = formErrors(record.error, FIELDS);
  return (
    <form method="post" onSubmit={submit} className="stack">
      <SelectField
        label="Kind"
        value={kind}
        onChange={(event) => setKind(oneOf(event.target.value, ['partner', 'legal', 'transfer'], 'partner'))}
      >
        {(Object.keys(KIND_LABEL) as Kind[]).map((k) => (
          <option key={k} value={k}>
            {KIND_LABEL[k]}
          </option>
        ))}
      </SelectField>
      <TextField label="Recipient" name="recipient" required maxLength={200} error={errors.field.recipient} />
      <TextAreaField
        label="What and why"
        name="description"
        required
        maxLength={5000}
        rows={3}
        error={errors.field.description}
      />
      {kind === 'partner' && (
        <TextField
          label="Confidentiality agreement reference"
          name="agreementRef"
          required
          maxLength={200}
          error={errors.field.agreementRef}
        />
      )}
      {kind === 'legal' && (
        <>
          <SelectField label="Legal basis" name="legalBasis" defaultValue="subpoena" error={errors.field.legalBasis}>
            <option value="subpoena">Subpoena</option>
            <option value="court_order">Court order</option>
            <option value="other">Other</option>
          </SelectField>
          <TextField label="Reference of the request" name="reference" maxLength={200} error={errors.field.reference} />
        </>
      )}
      {kind === 'transfer' && (
        <TextField
          label="Organisations affected (ids, comma-separated; empty for everyone)"
          name="orgIds"
          spellCheck={false}
          error={errors.field.orgIds}
        />
      )}
      <TextField
        label="Data categories (comma-separated)"
        name="dataCategories"
        required
        hint="For example: name, email"
        error={errors.field.dataCategories}
      />
      <ErrorNotice error={errors.form} title="The disclosure was not recorded" />
      <div className="dialog-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" busy={record.isPending} busyLabel="Recording">
          Record it
        </Button>
      </div>
    </form>
  );
}

const list = (value: string) =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function recordBody({ kind, form }: { kind: Kind; form: FormData }): NewDisclosure {
  const orgIds = list(formValue(form, 'orgIds'));
  const reference = formValue(form, 'reference').trim();
  return {
    kind,
    recipient: formValue(form, 'recipient').trim(),
    description: formValue(form, 'description').trim(),
    dataCategories: list(formValue(form, 'dataCategories')),
    ...(kind === 'partner' ? { agreementRef: formValue(form, 'agreementRef').trim() } : {}),
    ...(kind === 'legal'
      ? {
          legalBasis: oneOf(formValue(form, 'legalBasis'), ['subpoena', 'court_order', 'other'], 'subpoena'),
          ...(reference ? { reference } : {}),
        }
      : {}),
    ...(kind === 'transfer' && orgIds.length > 0 ? { orgIds } : {}),
  };
}
