/**
 * The session's CSRF token, held in memory only: never in local or session storage, where any script on the
 * origin could read it later. A reload gets it again from GET /api/auth/session.
 */
let current = '';

export const csrfToken = (): string => current;

export function rememberCsrfToken(token: string): void {
  current = token;
}

export function forgetCsrfToken(): void {
  current = '';
}
