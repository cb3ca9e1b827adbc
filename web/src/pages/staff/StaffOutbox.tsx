import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import { Badge, type Tone } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/Field';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
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
      {mails.isPending && <Loading label="Loading the outbox" />}
      <ErrorNotice error={mails.error} title="The outbox could not be loaded" onRetry={() => void mails.refetch()} />
      {mails.data?.length === 0 && <EmptyState title="No mail" />}
      {mails.data && mails.data.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Outgoing e-mail</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">To</th>
                <th scope="col">Kind</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {mails.data.map((m) => (
                <tr key={m.id}>
                  <th scope="row">{m.subject}</th>
                  <td className="small">{m.to}</td>
                  <td className="small">
                    {m.template} <span className="muted">({m.category})</span>
                  </td>
                  <td>
                    <Badge tone={TONE[m.status] ?? 'neutral'}>{m.status}</Badge>
                    {m.lastError && <span className="error-text small party-id">{m.lastError}</span>}
                  </td>
                  <td className="nowrap">
                    <Time iso={m.createdAt} />
                  </td>
                  <td>
                    <details>
                      <summary>
                        Show<span className="visually-hidden"> the message “{m.subject}”</span>
                      </summary>
                      <pre tabIndex={0}>{m.text}</pre>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
