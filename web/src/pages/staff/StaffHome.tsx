import { Link } from 'react-router';
import { Badge } from '../../components/Badge';
import { SoonBadge } from '../../components/SoonBadge';
import { PageHeader } from '../../components/PageHeader';
import { STAFF_AREAS, staffComingAreas } from '../../layout/nav';
import { useSignedIn } from '../../session/session';

const ABOUT: Record<string, string> = {
  queue: 'Support requests and suspicious-activity grants waiting for a staff member, oldest first.',
  grants: 'The grants you hold, the time left, and the recorded terminal under each.',
  jobs: 'Background jobs of every organisation.',
  audit: 'Reading it needs a reason, and the read is itself recorded where the customer sees it.',
  outbox: 'E-mail Steward sent, held or failed to send.',
};

/** What a staff member can do today, by role, and what the staff area will hold. */
export function StaffHome() {
  const { user } = useSignedIn();
  const live = STAFF_AREAS.filter((a) => a.path && !a.coming);
  return (
    <>
      <PageHeader
        title="Staff area"
        description={
          <>
            Your roles:{' '}
            {user.staffRoles.map((r) => (
              <Badge key={r}>{r}</Badge>
            ))}
          </>
        }
      />
      <div className="stats">
        {live.map((area) => {
          const allowed = area.roles.some((r) => user.staffRoles.includes(r));
          return (
            <div className="card stat-static" key={area.path}>
              <h2>{area.label}</h2>
              <p>{ABOUT[area.path]}</p>
              {allowed ? (
                <Link to={`/staff/${area.path}`}>Open {area.label.toLowerCase()}</Link>
              ) : (
                <p className="muted">Needs the {area.roles.join(' or ')} role.</p>
              )}
            </div>
          );
        })}
      </div>
      <section className="section" aria-labelledby="staff-coming">
        <h2 id="staff-coming">Coming to the staff area</h2>
        <ul className="coming-grid">
          {staffComingAreas().map((c) => (
            <li key={c.path} className="card coming-card">
              <h3>
                {c.label} <SoonBadge />
              </h3>
              <p>{c.coming?.summary}</p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
