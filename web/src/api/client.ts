import createClient, { type Middleware } from 'openapi-fetch';
import { csrfToken } from './csrf';
import { ApiError, apiErrorFrom } from './errors';
import type { paths } from './schema';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// Every state-changing request carries the session's CSRF token; the cookie alone is never enough.
const csrfHeader: Middleware = {
  onRequest({ request }) {
    const token = csrfToken();
    if (!SAFE_METHODS.has(request.method) && token) request.headers.set('X-CSRF-Token', token);
    return request;
  },
};

/** The typed API client: paths, parameters and bodies are checked against web/src/api/schema.d.ts. */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(csrfHeader);

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits an API call and returns its data, or throws an ApiError with the API's code and message. A request
 * that never reached Steward becomes STEWARD_NETWORK, so every failure reads the same way in the console.
 */
export async function call<T>(pending: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await pending;
  } catch {
    throw new ApiError('STEWARD_NETWORK', 'Steward could not be reached.', 0, undefined, undefined);
  }
  if (!answer.response.ok) throw apiErrorFrom(answer.response, answer.error);
  return answer.data as T;
}
