import { useNavigate } from 'react-router';
import { useSignedIn } from '../session/session';

const NEW = '__new__';

/** A plain <select>: keyboard and screen-reader support come with the element. */
export function OrgSwitcher({ activeId }: { activeId: string | undefined }) {
  const session = useSignedIn();
  const navigate = useNavigate();
  return (
    <div className="org-switcher">
      <label htmlFor="org-switcher">Organisation</label>
      <select
        id="org-switcher"
        value={activeId ?? ''}
        onChange={(event) => navigate(event.target.value === NEW ? '/new-org' : `/orgs/${event.target.value}`)}
      >
        {!activeId && (
          <option value="" disabled>
            Choose an organisation
          </option>
        )}
        {session.orgs.map((org) => (
          <option key={org.id} value={org.id}>
            {org.name}
          </option>
        ))}
        <option value={NEW}>+ New organisation…</option>
      </select>
    </div>
  );
}
