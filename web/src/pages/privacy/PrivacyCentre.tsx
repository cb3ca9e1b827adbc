import { Badge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { SimpleTable } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import type { OrgDeletion } from '../../api/types';
import { useSignedIn } from '../../session/session';
import { Consents } from './Consents';
import { DataExport } from './DataExport';
import { DeleteAccount } from './DeleteAccount';
import { PolicyNotice } from './PolicyNotice';
import { useCurrentPolicy, useDeletions, usePolicyNotice } from './queries';

/** The person's privacy centre: the policy and its changes, consents by purpose, an export, and deleting the account. */
export function PrivacyCentre() {
  const { user } = useSignedIn();
  const notice = usePolicyNotice();
  const policy = useCurrentPolicy();
  const deletions = useDeletions();
  return (
    <>
      <PageHeader
        title="Privacy centre"
        description={
          policy.data ? (
            <>
              The privacy policy in force is “{policy.data.title}”, version {policy.data.version}, published{' '}
              <Time iso={policy.data.publishedAt} />.
            </>
          ) : (
            'What Steward holds about you, and what you agreed it may do.'
          )
        }
      />
      {notice.data && <PolicyNotice notice={notice.data} />}
      <Consents />
      <DataExport />
      {deletions.data && deletions.data.length > 0 && (
        <section className="section" aria-labelledby="org-deletions">
          <h2 id="org-deletions">Organisation deletions you asked for</h2>
          <SimpleTable<OrgDeletion>
            caption="Organisation deletions"
            rows={deletions.data}
            rowKey={(d) => d.id}
            empty="None."
            columns={[
              { header: 'Organisation', rowHeader: true, cell: (d) => <span className="mono small">{d.orgId}</span> },
              { header: 'Status', cell: (d) => <Badge tone={d.status === 'done' ? 'ok' : 'info'}>{d.status}</Badge> },
              { header: 'Servers released', cell: (d) => `${d.serversReleased} (${d.serversLeft} left)` },
              { header: 'Asked', cell: (d) => <Time iso={d.requestedAt} /> },
              { header: 'Finished', cell: (d) => <Time iso={d.finishedAt} /> },
            ]}
          />
        </section>
      )}
      {user.kind !== 'staff' && <DeleteAccount email={user.email} />}
    </>
  );
}
