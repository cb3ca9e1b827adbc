import { createContext, useContext } from 'react';
import { Link, Outlet, useParams } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { StandingBanner } from '../billing/StandingBanner';

type SessionOrg = ReturnType<typeof useSignedIn>['orgs'][number];

// A React context rather than the outlet's: pages nested deeper (a server's sections) pass their own outlet context.
const OrgContext = createContext<SessionOrg | null>(null);

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
  return (
    <OrgContext.Provider value={org}>
      <StandingBanner orgId={org.id} />
      <Outlet />
    </OrgContext.Provider>
  );
}

/** The organisation of the current page, as the session knows it (id, name, the person's role). */
export function useOrg(): SessionOrg {
  const org = useContext(OrgContext);
  if (!org) throw new Error('useOrg used outside OrgScope');
  return org;
}
