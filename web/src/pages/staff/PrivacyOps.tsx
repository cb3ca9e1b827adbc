import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { hasRole } from './RequireStaff';
import { DisclosureRegister } from './DisclosureRegister';
import { PublishPolicy } from './PublishPolicy';
import { PublishTerms } from './PublishTerms';
import { AnalyticsDashboard } from './AnalyticsDashboard';

/**
 * Privacy operations: the disclosure register, policy and terms versions (admin), the analytics dashboard (admin,
 * marketing).
 */
export function PrivacyOps() {
  const { user } = useSignedIn();
  const admin = hasRole(user.staffRoles, 'admin');
  const analytics = hasRole(user.staffRoles, 'admin', 'marketing');
  return (
    <>
      <PageHeader
        title="Privacy operations"
        description="Who received personal data and on what grounds, the privacy policy’s and terms’ versions, and how the public pages are used."
      />
      {admin && <DisclosureRegister />}
      {admin && <PublishPolicy />}
      {admin && <PublishTerms />}
      {analytics && <AnalyticsDashboard />}
    </>
  );
}
