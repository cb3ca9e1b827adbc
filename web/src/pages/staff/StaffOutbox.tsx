import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { OutboxMail } from '../../api/types';
import { Badge, type Tone } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';

const STATUSES = ['queued', 'held', 'sent', 'failed', 'suppressed'] as const;
type MailStatus = (typeof STATUSES)[number];
const TONE: Record<string, Tone> = {
  queued: 'info',
  held: 'warn',
  sent: 'ok',
  failed: 'danger',
  suppressed: 'neutral',
};

const COLUMNS: Column<OutboxMail>[] = [
  { header: 'Subject', rowHeader: true, cell: (m) => m.subject },
  { header: 'To', className: 'small', cell: (m) => m.to },
  {
    header: 'Kind',
    className: 'small',
    cell: (m) => (
      <>
        {m.template} <span className="muted">({m.category})</span>
      </>
    ),
  },
  {
    header: 'Status',
    cell: (m) => (
      <>
        <Badge tone={TONE[m.status] ?? 'neutral'}>{m.status}</Badge>
        {m.lastError && <span className="error-text small party-id">{m.lastError}</span>}
      </>
    ),
  },
  { header: 'Created', className: 'nowrap', cell: (m) => <Time iso={m.createdAt} /> },
  {
    header: 'Message',
    cell: (m) => (
      <details>
        <summary>
          Show<span className="visually-hidden"> the message “{m.subject}”</span>
        </summary>
        <pre tabIndex={0}>{m.text}</pre>
      </details>
    ),
  },
];

/** Outgoing e-mail (admins): what was sent, what is held because no SMTP server is configured, what failed. */
export function StaffOutbox() {
  const [status, setStatus] = useState<MailStatus | ''>('');
  const mails = useQuery({
    queryKey: ['staff', 'outbox', status],
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (await call(api.GET('/api/staff/outbox', { params: { query: { limit: 200, ...(status ? { status } : {}) } } })))
        .mails,
  });
  const held = mails.data?.filter((m) => m.status === 'held').length ?? 0;
  return (
    <>
      <PageHeader
        title="Outbox"
        description="E-mail Steward sends: welcome and notification mail, by status. Held mail waits for an SMTP server to be configured (STEWARD_SMTP_URL)."
      />
      <div className="filters">
        <SelectField
          label="Status"
          value={status}
          onChange={(event) => setStatus(event.target.value as MailStatus | '')}
        >
          <option value="">All</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </SelectField>
      </div>
      {held > 0 && (
        <p className="notice notice-warn section">
          {held} message{held === 1 ? ' is' : 's are'} held: configure SMTP to send them.
        </p>
      )}
      <QueryTable
        query={mails}
        loading="Loading the outbox"
        failed="The outbox could not be loaded"
        caption="Outgoing e-mail"
        columns={COLUMNS}
        rowKey={(m) => m.id}
        empty={<EmptyState title="No mail" />}
      />
    </>
  );
}
