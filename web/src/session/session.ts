import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { api, call } from '../api/client';
import { forgetCsrfToken, rememberCsrfToken } from '../api/csrf';
import { isApiError } from '../api/errors';
import type { Session } from '../api/types';

export const SESSION_KEY = ['session'] as const;

/** The signed-in person (null when signed out). Loading it also brings the CSRF token back after a reload. */
async function fetchSession(): Promise<Session | null> {
  try {
    const session = await call(api.GET('/api/auth/session'));
    rememberCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (isApiError(err, 'STEWARD_UNAUTHENTICATED')) {
      forgetCsrfToken();
      return null;
    }
    throw err;
  }
}

export const useSession = () => useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000 });

/** The session, inside the part of the app that RequireSession guards. */
export function useSignedIn(): Session {
  const { data } = useSession();
  if (!data) throw new Error('useSignedIn used outside RequireSession');
  return data;
}

/** Takes the answer of sign-in or sign-up as the current session. */
export function acceptSession(queryClient: QueryClient, session: Session): void {
  rememberCsrfToken(session.csrfToken);
  queryClient.setQueryData(SESSION_KEY, session);
}

/** Ends the session on the server, then forgets everything this tab knew. */
export function useSignOut(): () => Promise<void> {
  const queryClient = useQueryClient();
  return async () => {
    try {
      await call(api.POST('/api/auth/signout'));
    } finally {
      forgetCsrfToken();
      queryClient.clear();
      queryClient.setQueryData(SESSION_KEY, null);
    }
  };
}

/** Refetches the session after something that changes it (organisations joined, second factor enrolled). */
export const refreshSession = (queryClient: QueryClient) => queryClient.invalidateQueries({ queryKey: SESSION_KEY });
