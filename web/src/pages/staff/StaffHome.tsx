import { Link } from 'react-router';
import { Badge, SoonBadge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { useSignedIn } from '../../session/session';
import { hasRole } from './RequireStaff';

const COMING = [
  { title: 'Work queue', text: 'Support requests and incidents waiting for staff.' },
  { title: 'Grants', text: 'The grants you hold, their scope and the time left; the terminal under a grant.' },
  { title: 'Internal review', text: 'Which staff touched which customer, which personal data was read and why.' },
  { title: 'Privacy operations', text: 'Disclosure register, policy versions, outbox and analytics dashboards.' },
];

/** What a staff member can do today, by role, and what the staff area will hold. */
export function StaffHome() {
  const { user } = useSignedIn();
  const admin = hasRole(user.staffRoles, 'admin');
  const auditor = hasRole(user.staffRoles, 'admin', 'security');
  return (
    <>
      <PageHeader title="Staff area" description={<>Your roles: {user.staffRoles.map((r) => <Badge key={r}>{r}</Badge>)}</>} />
      <div className="stats">
        <div className="card stat-static">
          <h2>All jobs</h2>
          <p>Background jobs of every organisation.</p>
          {admin ? <Link to="/staff/jobs">Open jobs</Link> : <p className="muted">Needs the admin role.</p>}
        </div>
        <div className="card stat-static">
          <h2>Audit across organisations</h2>
          <p>Reading it needs a reason, and the read is itself recorded where the customer sees it.</p>
          {auditor ? <Link to="/staff/audit">Open the audit log</Link> : <p className="muted">Needs the admin or security role.</p>}
        </div>
      </div>
      <section className="section" aria-labelledby="staff-coming">
        <h2 id="staff-coming">Coming to the staff area</h2>
        <ul className="coming-grid">
          {COMING.map((c) => (
            <li key={c.title} className="card coming-card">
              <h3>{c.title} <SoonBadge /></h3>
              <p>{c.text}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
