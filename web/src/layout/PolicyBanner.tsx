import { Link, useLocation } from 'react-router';
import { usePolicyNotice } from '../pages/privacy/queries';
import { useSignedIn } from '../session/session';

/** A significant privacy policy change the person has not acknowledged: said on every page until they do. */
export function PolicyBanner() {
  const { user } = useSignedIn();
  // Staff still enrolling a second factor may call nothing but enrolment.
  const notice = usePolicyNotice(!(user.kind === 'staff' && !user.totpEnabled));
  const { pathname } = useLocation();
  if (!notice.data || pathname === '/privacy') return null;
  return (
    <p className="notice notice-warn section" role="note">
      The privacy policy changed ({notice.data.title}, version {notice.data.version}).{' '}
      <Link to="/privacy">Read what changed in the privacy centre</Link>.
    </p>
  );
}
