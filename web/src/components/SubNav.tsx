import { NavLink } from 'react-router';

export interface SubNavItem {
  readonly to: string;
  readonly label: string;
  /** Matches only this exact path (for the first, index-like item). */
  readonly end?: boolean;
  /** Shown with a small count, such as open alerts or found credentials. */
  readonly count?: number;
  /** A part that arrives with a capability still to land: listed, not linked. */
  readonly coming?: boolean;
}

/** Sections of one page (a server's overview, facts, tasks…) as a labelled navigation of links. */
export function SubNav({ label, items }: { label: string; items: readonly SubNavItem[] }) {
  return (
    <nav className="subnav" aria-label={label}>
      <ul>
        {items.map((item) => (
          <li key={item.to}>
            {item.coming ? (
              <span className="subnav-link subnav-coming">
                {item.label} <span className="nav-soon">Soon</span>
              </span>
            ) : (
              <NavLink
                to={item.to}
                end={item.end}
                className={({ isActive }) => (isActive ? 'subnav-link active' : 'subnav-link')}
              >
                {item.label}
                {item.count !== undefined && item.count > 0 && <span className="subnav-count">{item.count}</span>}
              </NavLink>
            )}
          </li>
        ))}
      </ul>
    </nav>
  );
}
