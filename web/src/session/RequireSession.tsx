import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { ErrorNotice } from '../components/ErrorNotice';
import { Loading } from '../components/Loading';
import { useSession } from './session';
import { TermsHold } from './TermsHold';

export const ENROL_PATH = '/staff/enrol';

/**
 * Guards the signed-in part of the console: signed-out people go to sign-in (and come back afterwards), staff
 * without a second factor go to enrolment first, and a customer held by changed terms sees them to accept,
 * because the API refuses them everything else.
 */
export function RequireSession({ children }: { children: ReactNode }) {
  const { data: session, error, refetch } = useSession();
  const location = useLocation();
  // A failed background refetch keeps the session it had; only a session never loaded blocks the page.
  if (session === undefined && !error) return <Loading label="Loading your session" fullPage />;
  if (session === undefined) {
    return (
      <main className="auth-page" id="main">
        <ErrorNotice error={error} title="The console could not load your session" onRetry={() => void refetch()} />
      </main>
    );
  }
  if (!session) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`} replace />;
  }
  if (session.user.kind === 'staff' && !session.user.totpEnabled && location.pathname !== ENROL_PATH) {
    return <Navigate to={ENROL_PATH} replace />;
  }
  // Materially changed terms: the API refuses everything else until they are accepted.
  if (session.pending?.terms) return <TermsHold />;
  return <>{children}</>;
}

/** Where to go after signing in: only a path of this console, never another site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}
