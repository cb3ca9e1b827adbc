import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { forgetCsrfToken } from '../api/csrf';
import { isApiError } from '../api/errors';
import { SESSION_KEY } from '../session/session';

/**
 * One cache for the whole console. A 401 anywhere means the session ended (expired, revoked, password changed
 * elsewhere): the session is dropped and RequireSession sends the person to sign in. Client errors are not
 * retried; they will not get better by asking again.
 */
export function createQueryClient(): QueryClient {
  const onError = (err: unknown) => {
    if (isApiError(err, 'STEWARD_UNAUTHENTICATED')) {
      forgetCsrfToken();
      client.setQueryData(SESSION_KEY, null);
    } else if (isApiError(err, 'STEWARD_TOTP_ENROLMENT_REQUIRED')) {
      void client.invalidateQueries({ queryKey: SESSION_KEY });
    }
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (failures, err) => !(isApiError(err) && err.status >= 400 && err.status < 500) && failures < 2,
      },
      // Mutations may carry passwords or secret values; keep them no longer than the form that sent them.
      mutations: { gcTime: 0, retry: false },
    },
  });
  return client;
}
