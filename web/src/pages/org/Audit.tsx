import { useMemo, useState } from 'react';
import { ActionFilter } from '../../components/ActionFilter';
import { AuditTable } from '../../components/AuditTable';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { Pager, useCursorPager } from '../../components/Pager';
import { QueryState } from '../../components/QueryState';
import { useOrg } from './OrgScope';
import { useMembers, useOrgAudit } from './queries';

const PAGE_SIZE = 50;

/** The organisation's audit log: every change, by whom, with its result; paged from the newest. */
export function Audit() {
  const org = useOrg();
  const [action, setAction] = useState('');
  const pager = useCursorPager();
  const audit = useOrgAudit(org.id, {
    limit: PAGE_SIZE,
    ...(pager.before ? { before: pager.before } : {}),
    ...(action ? { action } : {}),
  });
  const entries = useMemo(() => audit.data ?? [], [audit.data]);
  const members = useMembers(org.id);
  const names = useMemo(
    () =>
      new Map(
        (members.data ?? []).flatMap(
          (m) =>
            [
              [m.userId, m.name],
              [m.id, `${m.name} (membership)`],
            ] as const,
        ),
      ),
    [members.data],
  );
  const known = useMemo(() => [...new Set(entries.map((e) => e.action))].sort(), [entries]);
  const apply = (next: string) => {
    pager.reset();
    setAction(next);
  };
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change to this organisation, written by Steward in the same step as the change. Entries are chained, so none can be altered or removed unnoticed."
      />
      <ActionFilter value={action} known={known} onApply={apply} />
      <div aria-live="polite" aria-busy={audit.isFetching}>
        <QueryState query={audit} loading="Loading the audit log" failed="The audit log could not be loaded" />
        {audit.isSuccess && entries.length === 0 && (
          <EmptyState title={action ? `No entries for ${action}` : 'No entries yet'} />
        )}
        {entries.length > 0 && (
          <AuditTable entries={entries} names={names} caption={`Audit log of ${org.name}, page ${pager.page}`} />
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
