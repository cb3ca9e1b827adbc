import type { ComponentType } from 'react';
import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { Loading } from '../components/Loading';
import { comingAreas, staffComingAreas } from '../layout/nav';
import { Shell } from '../layout/Shell';
import { SignIn } from '../pages/auth/SignIn';
import { SignUp } from '../pages/auth/SignUp';
import { Terms } from '../pages/terms/Terms';
import { Confirm } from '../pages/auth/Confirm';
import { Home } from '../pages/Home';
import { NotFound } from '../pages/NotFound';
import { Coming } from '../pages/org/Coming';
import { OrgScope } from '../pages/org/OrgScope';
import { RouteError } from '../pages/RouteError';
import { ServerLayout } from '../pages/servers/ServerLayout';
import { RequireStaff } from '../pages/staff/RequireStaff';
import { RequireSession } from '../session/RequireSession';

/**
 * A page loaded when its route is first visited (its own chunk), so the first screen does not wait for every
 * page's code. Moving between pages keeps the current one on screen until the next has loaded; only the first
 * page opened shows the root route's fallback. `name` is the module's export; the type check makes sure it is there.
 */
function page<M extends Record<N, ComponentType>, N extends string>(load: () => Promise<M>, name: N) {
  return async () => ({ Component: (await load())[name] });
}

/** A server's sections (see pages/servers/tabs.ts). */
const serverPages: RouteObject[] = [
  { index: true, lazy: page(() => import('../pages/servers/ServerOverview'), 'ServerOverview') },
  { path: 'facts', lazy: page(() => import('../pages/servers/FactsPage'), 'FactsPage') },
  { path: 'facts/:category', lazy: page(() => import('../pages/servers/FactsPage'), 'FactsPage') },
  { path: 'changes', lazy: page(() => import('../pages/servers/ChangesPage'), 'ChangesPage') },
  { path: 'found-credentials', lazy: page(() => import('../pages/servers/FoundCredentials'), 'FoundCredentials') },
  { path: 'tasks', lazy: page(() => import('../pages/servers/ServerTasks'), 'ServerTasks') },
  { path: 'terminal', lazy: page(() => import('../pages/servers/ServerTerminal'), 'ServerTerminal') },
  { path: 'metrics', lazy: page(() => import('../pages/servers/ServerMetrics'), 'ServerMetrics') },
  { path: 'backups', lazy: page(() => import('../pages/backups/ServerBackups'), 'ServerBackups') },
  { path: 'settings', lazy: page(() => import('../pages/servers/ServerSettings'), 'ServerSettings') },
];

/** An organisation's pages. Areas still `coming` in layout/nav.ts get a page that says what they will do. */
const orgPages: RouteObject[] = [
  { index: true, lazy: page(() => import('../pages/org/Overview'), 'Overview') },
  { path: 'get-started', lazy: page(() => import('../pages/onboarding/GetStarted'), 'GetStarted') },
  { path: 'servers', lazy: page(() => import('../pages/servers/ServersList'), 'ServersList') },
  { path: 'servers/new', lazy: page(() => import('../pages/servers/AddServer'), 'AddServer') },
  { path: 'servers/:serverId', element: <ServerLayout />, children: serverPages },
  { path: 'tasks', lazy: page(() => import('../pages/tasks/TasksPage'), 'TasksPage') },
  { path: 'tasks/:runId', lazy: page(() => import('../pages/tasks/RunPage'), 'RunPage') },
  { path: 'instances', lazy: page(() => import('../pages/instances/Instances'), 'Instances') },
  { path: 'instances/launch', lazy: page(() => import('../pages/instances/LaunchWizard'), 'LaunchWizard') },
  {
    path: 'instances/launches/:accountId/:token',
    lazy: page(() => import('../pages/instances/LaunchProgress'), 'LaunchProgress'),
  },
  { path: 'providers', lazy: page(() => import('../pages/providers/ProviderAccounts'), 'ProviderAccounts') },
  { path: 'monitoring', lazy: page(() => import('../pages/monitoring/Monitoring'), 'Monitoring') },
  { path: 'logs', lazy: page(() => import('../pages/monitoring/Logs'), 'Logs') },
  { path: 'alerts', lazy: page(() => import('../pages/security/Alerts'), 'Alerts') },
  { path: 'incidents', lazy: page(() => import('../pages/monitoring/Incidents'), 'Incidents') },
  { path: 'credential-uses', lazy: page(() => import('../pages/security/CredentialUses'), 'CredentialUses') },
  { path: 'members', lazy: page(() => import('../pages/org/Members'), 'Members') },
  { path: 'invitations', lazy: page(() => import('../pages/org/Invitations'), 'Invitations') },
  { path: 'credentials', lazy: page(() => import('../pages/org/Credentials'), 'Credentials') },
  { path: 'audit', lazy: page(() => import('../pages/org/Audit'), 'Audit') },
  { path: 'jobs', lazy: page(() => import('../pages/org/Jobs'), 'Jobs') },
  { path: 'support', lazy: page(() => import('../pages/access/SupportRequests'), 'SupportRequests') },
  { path: 'support/:supportId', lazy: page(() => import('../pages/access/SupportRequestPage'), 'SupportRequestPage') },
  { path: 'grants', lazy: page(() => import('../pages/access/Grants'), 'Grants') },
  { path: 'activity', lazy: page(() => import('../pages/access/Activity'), 'Activity') },
  { path: 'billing', lazy: page(() => import('../pages/billing/Billing'), 'Billing') },
  ...comingAreas().map((area) => ({ path: area.path, element: <Coming area={area} backTo=".." /> })),
];

const staffPages: RouteObject[] = [
  { index: true, lazy: page(() => import('../pages/staff/StaffHome'), 'StaffHome') },
  { path: 'jobs', lazy: page(() => import('../pages/staff/StaffJobs'), 'StaffJobs') },
  { path: 'audit', lazy: page(() => import('../pages/staff/StaffAudit'), 'StaffAudit') },
  { path: 'outbox', lazy: page(() => import('../pages/staff/StaffOutbox'), 'StaffOutbox') },
  { path: 'queue', lazy: page(() => import('../pages/staff/StaffQueue'), 'StaffQueue') },
  { path: 'grants', lazy: page(() => import('../pages/staff/StaffGrants'), 'StaffGrants') },
  { path: 'grants/:grantId', lazy: page(() => import('../pages/staff/StaffGrantPage'), 'StaffGrantPage') },
  { path: 'support/:supportId', lazy: page(() => import('../pages/staff/StaffSupportRequest'), 'StaffSupportRequest') },
  { path: 'privacy-ops', lazy: page(() => import('../pages/staff/PrivacyOps'), 'PrivacyOps') },
  { path: 'review', lazy: page(() => import('../pages/staff/PrivacyReview'), 'PrivacyReview') },
  { path: 'people', lazy: page(() => import('../pages/staff/StaffPeople'), 'StaffPeople') },
  { path: 'abuse', lazy: page(() => import('../pages/staff/AbuseReview'), 'AbuseReview') },
  { path: 'billing', lazy: page(() => import('../pages/staff/StaffBilling'), 'StaffBilling') },
  { path: 'undertaking', lazy: page(() => import('../pages/staff/Undertaking'), 'Undertaking') },
  ...staffComingAreas().map((area) => ({ path: area.path, element: <Coming area={area} backTo="/staff" /> })),
];

/** Every page of the console. The server answers index.html for any of these paths (SPA fallback). */
export const router = createBrowserRouter([
  {
    element: <Outlet />,
    errorElement: <RouteError />,
    // Opening the console at a page whose code has not loaded yet: announced, rather than a blank screen.
    hydrateFallbackElement: <Loading fullPage />,
    children: [
      { path: '/signin', element: <SignIn /> },
      { path: '/signup', element: <SignUp /> },
      { path: '/confirm', element: <Confirm /> },
      { path: '/terms', element: <Terms /> },
      { path: '/invite/:token', lazy: page(() => import('../pages/AcceptInvite'), 'AcceptInvite') },
      {
        element: (
          <RequireSession>
            <Shell />
          </RequireSession>
        ),
        children: [
          { index: true, element: <Home /> },
          { path: 'new-org', lazy: page(() => import('../pages/NewOrg'), 'NewOrg') },
          { path: 'orgs/:orgId', element: <OrgScope />, children: orgPages },
          { path: 'profile', lazy: page(() => import('../pages/profile/Profile'), 'Profile') },
          { path: 'profile/security', lazy: page(() => import('../pages/profile/Security'), 'Security') },
          { path: 'profile/tokens', lazy: page(() => import('../pages/profile/Tokens'), 'Tokens') },
          { path: 'privacy', lazy: page(() => import('../pages/privacy/PrivacyCentre'), 'PrivacyCentre') },
          { path: 'staff/enrol', lazy: page(() => import('../pages/staff/StaffEnrol'), 'StaffEnrol') },
          { path: 'staff', element: <RequireStaff />, children: staffPages },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);
