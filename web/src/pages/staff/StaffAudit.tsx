import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { StaffAuditQuery } from '../../api/types';
import { AuditTable } from '../../components/AuditTable';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { Pager, useCursorPager } from '../../components/Pager';

const PAGE_SIZE = 50;

/** What the form asks for: the query less the paging, which the pager adds. */
type Request = Omit<StaffAuditQuery, 'limit' | 'before'>;

/**
 * The audit log across organisations (admin, security). Nothing is read until a reason is given; the API
 * records each read with that reason, so the customer can see who looked and why.
 */
export function StaffAudit() {
  const [request, setRequest] = useState<Request | null>(null);
  const pager = useCursorPager();
  const audit = useQuery({
    queryKey: ['staff', 'audit', request, pager.before],
    enabled: request !== null,
    placeholderData: keepPreviousData,
    queryFn: async () =>
      (
        await call(
          api.GET('/api/staff/audit', {
            params: { query: { ...request!, limit: PAGE_SIZE, ...(pager.before ? { before: pager.before } : {}) } },
          }),
        )
      ).entries,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const orgId = formValue(form, 'orgId').trim();
    const action = formValue(form, 'action').trim();
    pager.reset();
    setRequest({
      reason: formValue(form, 'reason').trim(),
      ...(orgId ? { orgId } : {}),
      ...(action ? { action } : {}),
    });
  };
  const errors = formErrors(audit.error, ['reason', 'orgId', 'action'] as const);
  const entries = audit.data ?? [];
  return (
    <>
      <PageHeader
        title="Audit across organisations"
        description="Say why you need to look. The reason is recorded with your read."
      />
      <form method="post" onSubmit={submit} className="section card stack" aria-label="What to read and why">
        <TextField
          label="Reason"
          name="reason"
          required
          maxLength={500}
          hint="For example the ticket or incident you are working on."
          error={errors.field.reason}
        />
        <div className="grid-2">
          <TextField
            label="Organisation id (optional)"
            name="orgId"
            pattern="org_[0-9a-z]{26}"
            spellCheck={false}
            placeholder="org_…"
            error={errors.field.orgId}
          />
          <TextField
            label="Action (optional)"
            name="action"
            pattern="[a-z_]+\.[a-z_]+"
            spellCheck={false}
            placeholder="e.g. credential.sealed"
            error={errors.field.action}
          />
        </div>
        <div>
          <Button type="submit" variant="primary" busy={audit.isFetching} busyLabel="Reading">
            Read the audit log
          </Button>
        </div>
      </form>
      <div aria-live="polite">
        {request === null && <EmptyState title="Nothing read yet">Give a reason above to read the log.</EmptyState>}
        {request !== null && audit.isPending && <Loading label="Reading the audit log" />}
        <ErrorNotice error={errors.form} title="The audit log could not be read" />
        {audit.isSuccess && entries.length === 0 && <EmptyState title="No matching entries" />}
        {entries.length > 0 && (
          <AuditTable entries={entries} caption={`Audit log across organisations, page ${pager.page}`} />
        )}
      </div>
      {entries.length > 0 && (
        <Pager
          page={pager.page}
          hasOlder={entries.length === PAGE_SIZE}
          busy={audit.isFetching}
          onNewer={pager.newer}
          onOlder={() => pager.older(entries.at(-1)!.seq)}
        />
      )}
    </>
  );
}
