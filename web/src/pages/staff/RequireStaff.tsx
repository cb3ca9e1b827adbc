import { Link, Outlet, useLocation } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';

/** The staff area is for staff accounts; the API enforces it, this only spares customers a page of errors. */
export function RequireStaff() {
  const { user, pending } = useSignedIn();
  const { pathname } = useLocation();
  if (user.kind === 'staff' && pending?.undertaking && pathname !== '/staff/undertaking') {
    return (
      <>
        <PageHeader title="Staff area" />
        <EmptyState title="Your staff roles are inactive">
          <p>
            Accept the current confidentiality undertaking first:{' '}
            <Link to="/staff/undertaking">read and accept it</Link>.
          </p>
        </EmptyState>
      </>
    );
  }
  if (user.kind !== 'staff') {
    return (
      <>
        <PageHeader title="Staff area" />
        <EmptyState title="This area is for the operator’s staff">Your account is a customer account.</EmptyState>
      </>
    );
  }
  return <Outlet />;
}

export const hasRole = (roles: string[], ...wanted: string[]) => roles.some((r) => wanted.includes(r));
