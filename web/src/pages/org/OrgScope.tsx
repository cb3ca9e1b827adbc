import { Link, Outlet, useOutletContext, useParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';

type SessionOrg = ReturnType<typeof useSignedIn>['orgs'][number];

/** Pages under /orgs/:orgId: only for organisations the person belongs to (the API would answer 404 anyway). */
export function OrgScope() {
  const { orgId } = useParams();
  const session = useSignedIn();
  const org = session.orgs.find((o) => o.id === orgId);
  if (!org) {
    return (
      <>
        <PageHeader title="Organisation not found" />
        <EmptyState title="You are not a member of this organisation, or it does not exist.">
          <p>
            <Link to="/">Go to your organisations</Link>
          </p>
        </EmptyState>
      </>
    );
  }
  return <Outlet context={org} />;
}

/** The organisation of the current page, as the session knows it (id, name, the person's role). */
export const useOrg = (): SessionOrg => useOutletContext<SessionOrg>();
