import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Badge, type Tone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import { formErrors, formValue } from '../../components/formErrors';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice, LiveStatus } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useSignedIn } from '../../session/session';
import { hasRole } from './RequireStaff';

type Disclosure = components['schemas']['Disclosure'];
type Kind = Disclosure['kind'];
const KIND_LABEL: Record<Kind, string> = {
  partner: 'Partner',
  legal: 'Legal request',
  transfer: 'Merger or acquisition transfer',
};
const STATUS_TONE: Record<Disclosure['status'], Tone> = {
  recorded: 'neutral',
  planned: 'warn',
  notifying: 'info',
  done: 'ok',
};

/** Privacy operations: the disclosure register and policy versions (admin), the analytics dashboard (admin, marketing). */
export function PrivacyOps() {
  const { user } = useSignedIn();
  const admin = hasRole(user.staffRoles, 'admin');
  const analytics = hasRole(user.staffRoles, 'admin', 'marketing');
  return (
    <>
      <PageHeader
        title="Privacy operations"
        description="Who received personal data and on what grounds, the privacy policy’s versions, and how the public pages are used."
      />
      {admin && <DisclosureRegister />}
      {admin && <PublishPolicy />}
      {analytics && <AnalyticsDashboard />}
    </>
  );
}

function DisclosureRegister() {
  const client = useQueryClient();
  const [status, setStatus] = useState('');
  const [adding, setAdding] = useState(false);
  const list = useQuery({
    queryKey: ['staff', 'disclosures'],
    queryFn: async () => (await call(api.GET('/api/staff/disclosures'))).disclosures,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ['staff', 'disclosures'] });
  const notices = useMutation({
    mutationFn: (id: string) =>
      call(api.POST('/api/staff/disclosures/{disclosureId}/notices', { params: { path: { disclosureId: id } } })),
    onSuccess: (d) => {
      setStatus(
        `Notices of the transfer to ${d.recipient} are on their way${d.notices ? ` (${d.notices.affected} people affected)` : ''}.`,
      );
      refresh();
    },
  });
  const complete = useMutation({
    mutationFn: (id: string) =>
      call(api.POST('/api/staff/disclosures/{disclosureId}/complete', { params: { path: { disclosureId: id } } })),
    onSuccess: (d) => {
      setStatus(`The transfer to ${d.recipient} is recorded as done.`);
      refresh();
    },
  });
  const rows = list.data ?? [];
  return (
    <section className="section stack" aria-labelledby="register-title">
      <div className="row">
        <h2 id="register-title">Disclosure register</h2>
        <Button variant="primary" onClick={() => setAdding(true)}>
          Record a disclosure
        </Button>
      </div>
      <LiveStatus message={status} />
      <ErrorNotice error={notices.error} title="The notices were not sent" />
      <ErrorNotice error={complete.error} title="The transfer cannot be marked done yet" />
      {list.isPending && <Loading label="Loading the register" />}
      <ErrorNotice error={list.error} title="The register could not be loaded" onRetry={() => void list.refetch()} />
      {list.isSuccess && (
        <SimpleTable
          caption="Disclosure register"
          rows={rows}
          rowKey={(d) => d.id}
          empty="Nothing has been disclosed."
          columns={[
            { header: 'Recipient', rowHeader: true, cell: (d) => d.recipient },
            { header: 'Kind', cell: (d) => KIND_LABEL[d.kind] },
            {
              header: 'Grounds',
              cell: (d) =>
                d.agreementRef
                  ? `Agreement ${d.agreementRef}`
                  : d.legalBasis
                    ? `${d.legalBasis.replace('_', ' ')}${d.reference ? ` (${d.reference})` : ''}`
                    : (d.reference ?? '—'),
            },
            { header: 'Data', cell: (d) => d.dataCategories.join(', ') },
            {
              header: 'Status',
              cell: (d) => (
                <>
                  <Badge tone={STATUS_TONE[d.status]}>{d.status}</Badge>
                  {d.status === 'notifying' && <NoticeProgress id={d.id} />}
                </>
              ),
            },
            { header: 'Recorded', cell: (d) => <Time iso={d.createdAt} /> },
            {
              header: 'Actions',
              cell: (d) =>
                d.kind === 'transfer' && d.status !== 'done' ? (
                  <div className="row">
                    {d.status === 'planned' && (
                      <Button
                        onClick={() => {
                          notices.reset();
                          complete.reset();
                          notices.mutate(d.id);
                        }}
                        busy={notices.isPending && notices.variables === d.id}
                        busyLabel="Sending"
                      >
                        Send notices
                        <span className="visually-hidden"> to people affected by the transfer to {d.recipient}</span>
                      </Button>
                    )}
                    <Button
                      onClick={() => {
                        notices.reset();
                        complete.reset();
                        complete.mutate(d.id);
                      }}
                      busy={complete.isPending && complete.variables === d.id}
                      busyLabel="Checking"
                    >
                      Mark done<span className="visually-hidden">: the transfer to {d.recipient}</span>
                    </Button>
                  </div>
                ) : null,
            },
          ]}
        />
      )}
      <Dialog open={adding} title="Record a disclosure" onClose={() => setAdding(false)}>
        <DisclosureForm
          onDone={(d) => {
            setAdding(false);
            setStatus(`Recorded: ${KIND_LABEL[d.kind].toLowerCase()} to ${d.recipient}.`);
            refresh();
          }}
          onCancel={() => setAdding(false)}
        />
      </Dialog>
    </section>
  );
}

/** How far a transfer's notices got, refreshed every few seconds while they go out. */
function NoticeProgress({ id }: { id: string }): ReactNode {
  const detail = useQuery({
    queryKey: ['staff', 'disclosures', id],
    refetchInterval: (q) =>
      q.state.data?.notices && q.state.data.notices.delivered >= q.state.data.notices.affected ? false : 3000,
    queryFn: () => call(api.GET('/api/staff/disclosures/{disclosureId}', { params: { path: { disclosureId: id } } })),
  });
  const n = detail.data?.notices;
  if (!n) return null;
  return (
    <span className="small muted party-id">
      {n.delivered} of {n.affected} notices delivered
    </span>
  );
}

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

function DisclosureForm({ onDone, onCancel }: { onDone: (d: Disclosure) => void; onCancel: () => void }) {
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
      <SelectField label="Kind" value={kind} onChange={(event) => setKind(event.target.value as Kind)}>
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

function recordBody({ kind, form }: { kind: Kind; form: FormData }) {
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
          legalBasis: formValue(form, 'legalBasis') as 'subpoena' | 'court_order' | 'other',
          ...(reference ? { reference } : {}),
        }
      : {}),
    ...(kind === 'transfer' && orgIds.length > 0 ? { orgIds } : {}),
  };
}

interface Draft {
  version: string;
  title: string;
  body: string;
  changes: string;
  significant: boolean;
}

function PublishPolicy() {
  const [draft, setDraft] = useState<Draft | null>(null);
  const [status, setStatus] = useState('');
  const formRef = useRef<HTMLFormElement>(null);
  const publish = useMutation({
    mutationFn: (body: Draft) => call(api.POST('/api/staff/policies', { body })),
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

type Count = { key: string; count: number };

function Bars({ rows, label }: { rows: Count[]; label: string }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <svg
      className="chart-svg bars-svg"
      viewBox={`0 0 200 ${rows.length * 14}`}
      role="img"
      aria-label={label}
      preserveAspectRatio="none"
    >
      {rows.map((r, i) => (
        <rect key={r.key} className="chart-bar" x={0} y={i * 14 + 2} height={10} width={(r.count / max) * 200} />
      ))}
    </svg>
  );
}

function CountTable({ title, rows }: { title: string; rows: Count[] }) {
  const top = rows.slice(0, 10);
  return (
    <div className="stack tight">
      <h3>{title}</h3>
      <SimpleTable
        caption={title}
        rows={top}
        rowKey={(r) => r.key}
        empty="None in this period."
        columns={[
          { header: 'Name', rowHeader: true, cell: (r) => r.key },
          { header: 'Count', cell: (r) => r.count },
        ]}
      />
      {top.length > 0 && <Bars rows={top} label={`${title}: the same counts as bars`} />}
    </div>
  );
}

function AnalyticsDashboard() {
  const figures = useQuery({ queryKey: ['staff', 'analytics'], queryFn: () => call(api.GET('/api/staff/analytics')) });
  const s = figures.data;
  return (
    <section className="section stack" aria-labelledby="analytics-title">
      <h2 id="analytics-title">Analytics, last 30 days</h2>
      {figures.isPending && <Loading label="Loading the figures" />}
      <ErrorNotice
        error={figures.error}
        title="The figures could not be loaded"
        onRetry={() => void figures.refetch()}
      />
      {s && (
        <>
          <KeyValues
            items={[
              ['Visits', s.visits],
              ['Visitors', s.visitors],
              ['Page views', s.pageViews],
            ]}
          />
          {s.pageViews === 0 && <EmptyState title="No visits recorded in this period" />}
          <div className="grid-2">
            <CountTable title="Top pages" rows={s.topPages} />
            <CountTable title="Referring sites" rows={s.referrers} />
            <CountTable title="Downloads" rows={s.downloads} />
            <CountTable title="Browsers" rows={s.browsers} />
          </div>
        </>
      )}
    </section>
  );
}
