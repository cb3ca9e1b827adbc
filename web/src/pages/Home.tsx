import { Link, Navigate } from 'react-router';
import { EmptyState } from '../components/EmptyState';
import { PageHeader } from '../components/PageHeader';
import { useSignedIn } from '../session/session';

/** The landing spot after sign-in: the first organisation, the staff area, or a start. */
export function Home() {
  const session = useSignedIn();
  const first = session.orgs[0];
  if (first) return <Navigate to={`/orgs/${first.id}`} replace />;
  if (session.user.kind === 'staff') return <Navigate to="/staff" replace />;
  return (
    <>
      <PageHeader title="Welcome to Steward" />
      <EmptyState title="You do not belong to an organisation yet">
        <p>
          <Link to="/new-org">Create one</Link>, or open the invitation link someone sent you.
        </p>
      </EmptyState>
    </>
  );
}
