import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { comingAreas, staffComingAreas } from '../layout/nav';
import { Shell } from '../layout/Shell';
import { AcceptInvite } from '../pages/AcceptInvite';
import { Activity } from '../pages/access/Activity';
import { Grants } from '../pages/access/Grants';
import { SupportRequestPage } from '../pages/access/SupportRequestPage';
import { SupportRequests } from '../pages/access/SupportRequests';
import { SignIn } from '../pages/auth/SignIn';
import { SignUp } from '../pages/auth/SignUp';
import { Terms } from '../pages/terms/Terms';
import { Confirm } from '../pages/auth/Confirm';
import { Home } from '../pages/Home';
import { Instances } from '../pages/instances/Instances';
import { LaunchProgress } from '../pages/instances/LaunchProgress';
import { LaunchWizard } from '../pages/instances/LaunchWizard';
import { NewOrg } from '../pages/NewOrg';
import { NotFound } from '../pages/NotFound';
import { GetStarted } from '../pages/onboarding/GetStarted';
import { Audit } from '../pages/org/Audit';
import { Coming } from '../pages/org/Coming';
import { Credentials } from '../pages/org/Credentials';
import { Invitations } from '../pages/org/Invitations';
import { Jobs } from '../pages/org/Jobs';
import { Members } from '../pages/org/Members';
import { Monitoring } from '../pages/monitoring/Monitoring';
import { Incidents } from '../pages/monitoring/Incidents';
import { Logs } from '../pages/monitoring/Logs';
import { OrgScope } from '../pages/org/OrgScope';
import { Overview } from '../pages/org/Overview';
import { PrivacyCentre } from '../pages/privacy/PrivacyCentre';
import { Profile } from '../pages/profile/Profile';
import { Security } from '../pages/profile/Security';
import { Tokens } from '../pages/profile/Tokens';
import { ProviderAccounts } from '../pages/providers/ProviderAccounts';
import { RouteError } from '../pages/RouteError';
import { Alerts } from '../pages/security/Alerts';
import { CredentialUses } from '../pages/security/CredentialUses';
import { AddServer } from '../pages/servers/AddServer';
import { ChangesPage } from '../pages/servers/ChangesPage';
import { FactsPage } from '../pages/servers/FactsPage';
import { FoundCredentials } from '../pages/servers/FoundCredentials';
import { ServerLayout } from '../pages/servers/ServerLayout';
import { ServerMetrics } from '../pages/servers/ServerMetrics';
import { ServerOverview } from '../pages/servers/ServerOverview';
import { ServersList } from '../pages/servers/ServersList';
import { ServerSettings } from '../pages/servers/ServerSettings';
import { ServerTasks } from '../pages/servers/ServerTasks';
import { ServerTerminal } from '../pages/servers/ServerTerminal';
import { PrivacyOps } from '../pages/staff/PrivacyOps';
import { PrivacyReview } from '../pages/staff/PrivacyReview';
import { RequireStaff } from '../pages/staff/RequireStaff';
import { StaffAudit } from '../pages/staff/StaffAudit';
import { StaffEnrol } from '../pages/staff/StaffEnrol';
import { StaffGrantPage } from '../pages/staff/StaffGrantPage';
import { StaffGrants } from '../pages/staff/StaffGrants';
import { StaffHome } from '../pages/staff/StaffHome';
import { StaffJobs } from '../pages/staff/StaffJobs';
import { StaffOutbox } from '../pages/staff/StaffOutbox';
import { StaffPeople } from '../pages/staff/StaffPeople';
import { StaffQueue } from '../pages/staff/StaffQueue';
import { StaffSupportRequest } from '../pages/staff/StaffSupportRequest';
import { RunPage } from '../pages/tasks/RunPage';
import { TasksPage } from '../pages/tasks/TasksPage';
import { RequireSession } from '../session/RequireSession';
import { Billing } from '../pages/billing/Billing';
import { AbuseReview } from '../pages/staff/AbuseReview';
import { StaffBilling } from '../pages/staff/StaffBilling';
import { Undertaking } from '../pages/staff/Undertaking';
import { ServerBackups } from '../pages/backups/ServerBackups';

/** A server's sections (see pages/servers/tabs.ts). */
const serverPages: RouteObject[] = [
  { index: true, element: <ServerOverview /> },
  { path: 'facts', element: <FactsPage /> },
  { path: 'facts/:category', element: <FactsPage /> },
  { path: 'changes', element: <ChangesPage /> },
  { path: 'found-credentials', element: <FoundCredentials /> },
  { path: 'tasks', element: <ServerTasks /> },
  { path: 'terminal', element: <ServerTerminal /> },
  { path: 'metrics', element: <ServerMetrics /> },
  { path: 'backups', element: <ServerBackups /> },
  { path: 'settings', element: <ServerSettings /> },
];

/** An organisation's pages. Areas still `coming` in layout/nav.ts get a page that says what they will do. */
const orgPages: RouteObject[] = [
  { index: true, element: <Overview /> },
  { path: 'get-started', element: <GetStarted /> },
  { path: 'servers', element: <ServersList /> },
  { path: 'servers/new', element: <AddServer /> },
  { path: 'servers/:serverId', element: <ServerLayout />, children: serverPages },
  { path: 'tasks', element: <TasksPage /> },
  { path: 'tasks/:runId', element: <RunPage /> },
  { path: 'instances', element: <Instances /> },
  { path: 'instances/launch', element: <LaunchWizard /> },
  { path: 'instances/launches/:accountId/:token', element: <LaunchProgress /> },
  { path: 'providers', element: <ProviderAccounts /> },
  { path: 'monitoring', element: <Monitoring /> },
  { path: 'logs', element: <Logs /> },
  { path: 'alerts', element: <Alerts /> },
  { path: 'incidents', element: <Incidents /> },
  { path: 'credential-uses', element: <CredentialUses /> },
  { path: 'members', element: <Members /> },
  { path: 'invitations', element: <Invitations /> },
  { path: 'credentials', element: <Credentials /> },
  { path: 'audit', element: <Audit /> },
  { path: 'jobs', element: <Jobs /> },
  { path: 'support', element: <SupportRequests /> },
  { path: 'support/:supportId', element: <SupportRequestPage /> },
  { path: 'grants', element: <Grants /> },
  { path: 'activity', element: <Activity /> },
  { path: 'billing', element: <Billing /> },
  ...comingAreas().map((area) => ({ path: area.path, element: <Coming area={area} backTo=".." /> })),
];

const staffPages: RouteObject[] = [
  { index: true, element: <StaffHome /> },
  { path: 'jobs', element: <StaffJobs /> },
  { path: 'audit', element: <StaffAudit /> },
  { path: 'outbox', element: <StaffOutbox /> },
  { path: 'queue', element: <StaffQueue /> },
  { path: 'grants', element: <StaffGrants /> },
  { path: 'grants/:grantId', element: <StaffGrantPage /> },
  { path: 'support/:supportId', element: <StaffSupportRequest /> },
  { path: 'privacy-ops', element: <PrivacyOps /> },
  { path: 'review', element: <PrivacyReview /> },
  { path: 'people', element: <StaffPeople /> },
  { path: 'abuse', element: <AbuseReview /> },
  { path: 'billing', element: <StaffBilling /> },
  { path: 'undertaking', element: <Undertaking /> },
  ...staffComingAreas().map((area) => ({ path: area.path, element: <Coming area={area} backTo="/staff" /> })),
];

/** Every page of the console. The server answers index.html for any of these paths (SPA fallback). */
export const router = createBrowserRouter([
  {
    element: <Outlet />,
    errorElement: <RouteError />,
    children: [
      { path: '/signin', element: <SignIn /> },
      { path: '/signup', element: <SignUp /> },
      { path: '/confirm', element: <Confirm /> },
      { path: '/terms', element: <Terms /> },
      { path: '/invite/:token', element: <AcceptInvite /> },
      {
        element: (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        children: [
          { index: true, element: <Home /> },
          { path: 'new-org', element: <NewOrg /> },
          { path: 'orgs/:orgId', element: <OrgScope />, children: orgPages },
          { path: 'profile', element: <Profile /> },
          { path: 'profile/security', element: <Security /> },
          { path: 'profile/tokens', element: <Tokens /> },
          { path: 'privacy', element: <PrivacyCentre /> },
          { path: 'staff/enrol', element: <StaffEnrol /> },
          { path: 'staff', element: <RequireStaff />, children: staffPages },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);
