import { ThemeToggle } from '../theme/ThemeToggle';
import { PersonMenu } from './PersonMenu';
import { useActiveOrg } from './useActiveOrg';

/** Where you are (the organisation), the theme switch and the person's menu. */
export function Topbar() {
  const { org, inAddress } = useActiveOrg();
  return (
    <header className="topbar">
      <p className="topbar-context">
        {inAddress && org ? (
          <>
            <span className="topbar-org">{org.name}</span>
            <span className="topbar-role">{org.role === 'owner' ? 'Owner' : 'Member'}</span>
          </>
        ) : null}
      </p>
      <div className="topbar-actions">
        <ThemeToggle />
        <PersonMenu />
      </div>
    </header>
  );
}
