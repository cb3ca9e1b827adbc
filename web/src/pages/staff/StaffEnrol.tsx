import { Navigate, useNavigate } from 'react-router';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { TotpEnrol } from '../profile/TotpEnrol';

/**
 * Staff must turn on a second factor before anything else: the API refuses them every other route
 * (STEWARD_TOTP_ENROLMENT_REQUIRED) until they do, so the console brings them here first.
 */
export function StaffEnrol() {
  const { user } = useSignedIn();
  const navigate = useNavigate();
  if (user.kind !== 'staff' || user.totpEnabled) return <Navigate to="/staff" replace />;
  return (
    <>
      <PageHeader
        title="Turn on your second factor"
        description="Staff accounts reach customers’ data, so every staff sign-in needs a one-time code as well as the password."
      />
      <section className="section card" aria-label="Second factor setup">
        <p className="notice notice-info">Until this is done, the rest of the staff area is closed to your account.</p>
        <TotpEnrol onEnrolled={() => navigate('/staff', { replace: true })} />
      </section>
    </>
  );
}
