import { useQuery } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';

/** A staff member by name, with the id the audit log knows them by; the id alone when the account is gone. */
function StaffMember({ id, name }: { id: string | null; name: string | null }) {
  if (!id) return <>—</>;
  return name ? (
    <>
      {name} <span className="mono small muted">{id}</span>
    </>
  ) : (
    <code>{id}</code>
  );
}

/** The internal review (admin, security): who read which personal data and why, stale roles, unused grants. */
export function PrivacyReview() {
  const report = useQuery({
    queryKey: ['staff', 'privacy-review'],
    queryFn: () => call(api.GET('/api/staff/privacy-review')),
  });
  const r = report.data;
  return (
    <>
      <PageHeader
        title="Internal review"
        description="Built from the audit log: reads of personal data with their reasons, staff accounts not used lately, grants never used. Opening this report is itself recorded."
      />
      <QueryState query={report} loading="Building the report" failed="The report could not be built" />
      {r && (
        <>
          <p className="muted small">
            Generated <Time iso={r.generatedAt} />; reads since <Time iso={r.since} />.
          </p>
          <section className="section stack" aria-labelledby="reads-title">
            <h2 id="reads-title">Reads of personal data</h2>
            <SimpleTable
              caption="Reads of personal data"
              rows={r.personalDataReads}
              rowKey={(e, i) => `${e.at}-${i}`}
              empty="No staff member read personal data in this period."
              columns={[
                { header: 'When', cell: (e) => <Time iso={e.at} /> },
                {
                  header: 'Staff member',
                  rowHeader: true,
                  cell: (e) => <StaffMember id={e.staffId} name={e.staffName} />,
                },
                { header: 'Action', cell: (e) => <code>{e.action}</code> },
                {
                  header: 'Whose data',
                  cell: (e) => (e.target ? <code>{e.target.id}</code> : e.orgId ? <code>{e.orgId}</code> : '—'),
                },
                { header: 'Fields', cell: (e) => e.fields.join(', ') || '—' },
                { header: 'Reason', cell: (e) => e.reason ?? '—' },
              ]}
            />
            <h3>Reads by staff member</h3>
            <SimpleTable
              caption="Reads by staff member"
              rows={r.readsByStaff}
              rowKey={(e) => e.staffId}
              empty="None."
              columns={[
                {
                  header: 'Staff member',
                  rowHeader: true,
                  cell: (e) => <StaffMember id={e.staffId} name={e.staffName} />,
                },
                { header: 'Reads', cell: (e) => e.count },
              ]}
            />
          </section>
          <section className="section stack" aria-labelledby="stale-title">
            <h2 id="stale-title">Stale roles</h2>
            <p className="muted small">
              Staff accounts with roles that have not signed in since <Time iso={r.staleSince} />.
            </p>
            <SimpleTable
              caption="Stale roles"
              rows={r.staleRoles}
              rowKey={(e) => e.staffId}
              empty="Every staff account signed in recently."
              columns={[
                {
                  header: 'Staff member',
                  rowHeader: true,
                  cell: (e) => <StaffMember id={e.staffId} name={e.staffName} />,
                },
                { header: 'Roles', cell: (e) => e.roles.map((role) => <Badge key={role}>{role}</Badge>) },
                { header: 'Last sign-in', cell: (e) => (e.lastSignInAt ? <Time iso={e.lastSignInAt} /> : 'Never') },
                { header: 'Created', cell: (e) => <Time iso={e.createdAt} /> },
              ]}
            />
          </section>
          <section className="section stack" aria-labelledby="unused-title">
            <h2 id="unused-title">Unused grants</h2>
            {r.unusedGrants.status === 'pending' && (
              <p className="notice notice-info">
                {r.unusedGrants.message ?? 'This part of the report is not available yet.'}
              </p>
            )}
            <SimpleTable
              caption="Grants that were open but never used"
              rows={r.unusedGrants.grants}
              rowKey={(g) => g.id}
              empty="No grant went unused."
              columns={[
                { header: 'Grant', rowHeader: true, cell: (g) => <code>{g.id}</code> },
                { header: 'Organisation', cell: (g) => <code>{g.orgId}</code> },
                { header: 'Staff member', cell: (g) => <StaffMember id={g.staffId} name={g.staffName} /> },
                { header: 'Reason', cell: (g) => g.reason },
                { header: 'State', cell: (g) => <Badge>{g.state}</Badge> },
                {
                  header: 'Open',
                  cell: (g) =>
                    g.startsAt ? (
                      <>
                        <Time iso={g.startsAt} />
                        {g.endsAt && (
                          <>
                            {' '}
                            – <Time iso={g.endsAt} />
                          </>
                        )}
                      </>
                    ) : (
                      '—'
                    ),
                },
              ]}
            />
          </section>
        </>
      )}
    </>
  );
}
