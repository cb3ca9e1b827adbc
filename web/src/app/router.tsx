import { createBrowserRouter, Outlet, type RouteObject } from 'react-router';
import { comingAreas, PRIVACY_AREA } from '../layout/nav';
import { Shell } from '../layout/Shell';
import { AcceptInvite } from '../pages/AcceptInvite';
import { SignIn } from '../pages/auth/SignIn';
import { SignUp } from '../pages/auth/SignUp';
import { Home } from '../pages/Home';
import { NewOrg } from '../pages/NewOrg';
import { NotFound } from '../pages/NotFound';
import { Audit } from '../pages/org/Audit';
import { Coming } from '../pages/org/Coming';
import { Credentials } from '../pages/org/Credentials';
import { Invitations } from '../pages/org/Invitations';
import { Jobs } from '../pages/org/Jobs';
import { Members } from '../pages/org/Members';
import { OrgScope } from '../pages/org/OrgScope';
import { Overview } from '../pages/org/Overview';
import { Profile } from '../pages/profile/Profile';
import { Security } from '../pages/profile/Security';
import { Tokens } from '../pages/profile/Tokens';
import { RouteError } from '../pages/RouteError';
import { RequireStaff } from '../pages/staff/RequireStaff';
import { StaffAudit } from '../pages/staff/StaffAudit';
import { StaffEnrol } from '../pages/staff/StaffEnrol';
import { StaffHome } from '../pages/staff/StaffHome';
import { StaffJobs } from '../pages/staff/StaffJobs';
import { RequireSession } from '../session/RequireSession';

const orgPages: RouteObject[] = [
  { index: true, element: <Overview /> },
  { path: 'members', element: <Members /> },
  { path: 'invitations', element: <Invitations /> },
  { path: 'credentials', element: <Credentials /> },
  { path: 'audit', element: <Audit /> },
  { path: 'jobs', element: <Jobs /> },
  ...comingAreas().map((area) => ({ path: area.path, element: <Coming area={area} backTo=".." /> })),
];

/** Every page of the console. The server answers index.html for any of these paths (SPA fallback). */
export const router = createBrowserRouter([
  {
    element: <Outlet />,
    errorElement: <RouteError />,
    children: [
      { path: '/signin', element: <SignIn /> },
      { path: '/signup', element: <SignUp /> },
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
          { path: 'privacy', element: <Coming area={PRIVACY_AREA} backTo="/" /> },
          { path: 'staff/enrol', element: <StaffEnrol /> },
          { path: 'staff', element: <RequireStaff />, children: [{ index: true, element: <StaffHome /> }, { path: 'jobs', element: <StaffJobs /> }, { path: 'audit', element: <StaffAudit /> }] },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
]);
