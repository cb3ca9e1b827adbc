import { useEffect, useId, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useSignedIn, useSignOut } from '../session/session';

const initialsOf = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0]!.toUpperCase())
    .join('');

/**
 * The person's menu, built as a disclosure (a button that shows a list of links) rather than an ARIA menu:
 * Tab and Enter work as everywhere else, and Escape closes it.
 */
export function PersonMenu() {
  const session = useSignedIn();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const location = useLocation();
  // The page the menu was opened on: moving to another page closes it.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === location.pathname;
  const setOpen = (on: boolean) => setOpenOn(on ? location.pathname : null);
  const [signingOut, setSigningOut] = useState(false);
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpenOn(null);
        button.current?.focus();
      }
    };
    const onClick = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpenOn(null);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('mousedown', onClick);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('mousedown', onClick);
    };
  }, [open]);

  const doSignOut = async () => {
    setSigningOut(true);
    try {
      await signOut();
    } finally {
      navigate('/signin?signedOut=1', { replace: true });
    }
  };

  const { user } = session;
  return (
    <div className="person-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="person-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen(!open)}
      >
        <span className="avatar" aria-hidden="true">
          {initialsOf(user.name) || '?'}
        </span>
        <span className="person-name">{user.name}</span>
        <span className="visually-hidden">: account menu</span>
      </button>
      <div id={panelId} className="person-panel" hidden={!open}>
        <p className="person-email">{user.email}</p>
        <ul>
          <li>
            <Link to="/profile">Profile</Link>
          </li>
          <li>
            <Link to="/profile/security">Password and second factor</Link>
          </li>
          <li>
            <Link to="/profile/tokens">API tokens</Link>
          </li>
          <li>
            <Link to="/privacy">Privacy centre</Link>
          </li>
          {user.kind === 'staff' && (
            <li>
              <Link to="/staff">Staff area</Link>
            </li>
          )}
        </ul>
        <button
          type="button"
          className="btn btn-secondary person-signout"
          onClick={() => void doSignOut()}
          disabled={signingOut}
          aria-busy={signingOut || undefined}
        >
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </div>
    </div>
  );
}
