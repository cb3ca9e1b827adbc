import { Outlet } from 'react-router';
import { EmptyState } from '../../components/EmptyState';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';

/** The staff area is for staff accounts; the API enforces it, this only spares customers a page of errors. */
export function RequireStaff() {
  const { user } = useSignedIn();
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
