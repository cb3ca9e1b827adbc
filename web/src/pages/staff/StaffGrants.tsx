import { Link } from 'react-router';
import type { Grant } from '../../api/types';
import { Badge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useNow } from '../access/useNow';
import { ACTION_LABELS, OPEN_STATES, REASON_LABELS, remaining, STATE_LOOK } from '../access/words';
import { useMyGrants } from './queries';

/** The grants a staff member holds: scope and time left; each opens the work page (terminal) under it. */
export function StaffGrants() {
  const grants = useMyGrants();
  const now = useNow(10_000);
  const held = (grants.data ?? []).filter((g) => OPEN_STATES.includes(g.state));
  const ended = (grants.data ?? []).filter((g) => !OPEN_STATES.includes(g.state));
  const columns: Column<Grant>[] = [
    {
      header: 'Grant',
      rowHeader: true,
      cell: (g) => (
        <>
          <Link className="mono small id-text" to={`/staff/grants/${g.id}`}>
            {g.id}
          </Link>
          <br />
          {REASON_LABELS[g.reason]}
        </>
      ),
    },
    { header: 'Why', cell: (g) => g.justification },
    {
      header: 'Scope',
      cell: (g) => (
        <>
          {g.scope.serverIds.length} server{g.scope.serverIds.length === 1 ? '' : 's'}
          <br />
          <span className="muted small">{g.scope.actions.map((a) => ACTION_LABELS[a]).join(' · ')}</span>
        </>
      ),
    },
    { header: 'State', cell: (g) => <Badge tone={STATE_LOOK[g.state].tone}>{STATE_LOOK[g.state].label}</Badge> },
    {
      header: 'Time',
      cell: (g) =>
        g.state === 'active' ? (
          <>
            {remaining(g.endsAt, now)}
            <br />
            <span className="muted small">
              until <Time iso={g.endsAt} />
            </span>
          </>
        ) : g.endedAt ? (
          <>
            ended <Time iso={g.endedAt} />
            {g.endReason && <span className="muted small"> ({g.endReason.replace(/_/g, ' ')})</span>}
          </>
        ) : (
          '—'
        ),
    },
  ];
  return (
    <>
      <PageHeader
        title="My grants"
        description="The grants you hold and the time left. Everything you do under a grant is recorded where the customer sees it; a revoked or expired grant ends your sessions within seconds."
      />
      <QueryState query={grants} loading="Loading your grants" failed="Your grants could not be loaded">
        {() => (
          <>
            <section className="section" aria-labelledby="held-grants">
              <h2 id="held-grants">Held now</h2>
              <SimpleTable
                caption="Grants you hold"
                columns={columns}
                rows={held}
                rowKey={(g) => g.id}
                empty="You hold no grant. Take a request from the work queue."
              />
            </section>
            <section className="section" aria-labelledby="ended-grants">
              <h2 id="ended-grants">Ended</h2>
              <SimpleTable
                caption="Your ended grants"
                columns={columns}
                rows={ended}
                rowKey={(g) => g.id}
                empty="None yet."
              />
            </section>
          </>
        )}
      </QueryState>
    </>
  );
}
