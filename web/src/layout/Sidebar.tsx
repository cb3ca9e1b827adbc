import { NavLink } from 'react-router';
import { useSignedIn } from '../session/session';
import { ORG_AREAS, STAFF_AREAS } from './nav';
import { OrgSwitcher } from './OrgSwitcher';
import { useActiveOrg } from './useActiveOrg';

const linkClass = ({ isActive }: { isActive: boolean }) => (isActive ? 'nav-link active' : 'nav-link');

/** The organisation switcher and the areas of the chosen organisation; the staff area for staff. */
export function Sidebar() {
  const session = useSignedIn();
  const { org } = useActiveOrg();
  const isStaff = session.user.kind === 'staff';
  const roles = session.user.staffRoles;
  return (
    <nav className="sidebar" aria-label="Main">
      <NavLink to="/" className="brand">
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <span>Steward</span>
      </NavLink>
      {session.orgs.length > 0 && <OrgSwitcher activeId={org?.id} />}
      {org &&
        ORG_AREAS.map((group) => (
          <div className="nav-group" key={group.label}>
            {group.label && (
              <p className="nav-group-label" id={`nav-${group.label}`}>
                {group.label}
              </p>
            )}
            <ul aria-labelledby={group.label ? `nav-${group.label}` : undefined}>
              {group.areas
                .filter((area) => !area.ownersOnly || org.role === 'owner')
                .map((area) => (
                  <li key={area.path}>
                    <NavLink
                      to={`/orgs/${org.id}${area.path ? `/${area.path}` : ''}`}
                      end={!area.path}
                      className={linkClass}
                    >
                      <span>{area.label}</span>
                      {area.coming && <span className="nav-soon">Soon</span>}
                    </NavLink>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      {!org && !isStaff && (
        <p className="nav-empty">
          <NavLink to="/new-org">Create an organisation</NavLink> to start.
        </p>
      )}
      {isStaff && (
        <div className="nav-group">
          <p className="nav-group-label" id="nav-staff">
            Staff
          </p>
          <ul aria-labelledby="nav-staff">
            {STAFF_AREAS.filter((area) => area.roles.length === 0 || area.roles.some((r) => roles.includes(r))).map(
              (area) => (
                <li key={area.path}>
                  <NavLink to={`/staff${area.path ? `/${area.path}` : ''}`} end={!area.path} className={linkClass}>
                    <span>{area.label}</span>
                    {area.coming && <span className="nav-soon">Soon</span>}
                  </NavLink>
                </li>
              ),
            )}
          </ul>
        </div>
      )}
    </nav>
  );
}
