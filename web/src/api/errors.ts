import type { components } from './schema';

export type ErrorCode = components['schemas']['Error']['error']['code'] | 'STEWARD_NETWORK' | 'STEWARD_UNEXPECTED';

/** An API answer that was not a success, carrying the API's own code and message. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly status: number,
    readonly requestId: string | undefined,
    readonly details: Record<string, unknown> | undefined,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The form field the API blamed, when it named one. */
  get field(): string | undefined {
    const field = this.details?.field;
    return typeof field === 'string' ? field : undefined;
  }
}

export const isApiError = (err: unknown, code?: ErrorCode): err is ApiError =>
  err instanceof ApiError && (code === undefined || err.code === code);

// The API's message says what was wrong; these say what the person can do about it, where that is not obvious.
const NEXT_STEP: Partial<Record<ErrorCode, string>> = {
  STEWARD_UNAUTHENTICATED: 'Sign in again to continue.',
  STEWARD_INVALID_CREDENTIALS:
    'Check the e-mail address, the password and (if asked) the one-time code, then try again.',
  STEWARD_CSRF: 'Reload the page and try again.',
  STEWARD_FORBIDDEN: 'Ask an owner of the organisation to do this, or to make you an owner.',
  STEWARD_NOT_FOUND: 'It may have been deleted meanwhile; reload the page.',
  STEWARD_EMAIL_TAKEN: 'Sign in with that address instead, or use another one.',
  STEWARD_LAST_OWNER: 'Make another member an owner first.',
  STEWARD_INVITE_INVALID: 'Sign in with the address the invitation was sent to, or ask for a new invitation.',
  STEWARD_RATE_LIMITED: 'Wait a few minutes before trying again.',
  STEWARD_SEALED: 'Nothing was changed. The operator must give Steward its root key.',
  STEWARD_AUDIT_UNAVAILABLE:
    'Nothing was changed. Try again in a moment; if it keeps failing, tell the operator the request id.',
  STEWARD_DATABASE_UNAVAILABLE: 'Nothing was changed. Try again in a moment.',
  STEWARD_INTERNAL: 'Tell the operator the request id below; it finds the details in Steward’s logs.',
  STEWARD_NETWORK: 'Check your connection and that Steward is running, then try again.',
  STEWARD_CONFLICT: 'Reload the page to see the current state, then decide again.',
  STEWARD_CONFIRMATION_REQUIRED: 'Type the exact name shown, then confirm again.',
  STEWARD_PROVIDER_INVALID_CREDENTIALS:
    'Check the key id and secret (or the user and key) with your provider, then connect again. Nothing was stored.',
  STEWARD_PROVIDER_ACCOUNT_UNVERIFIED:
    'Check that the credentials may read the account (for EC2: sts:GetCallerIdentity and ec2:Describe*), then try again.',
  STEWARD_PROVIDER_ACCOUNT_IN_USE: 'Remove or terminate the servers that came from this account first.',
  STEWARD_PROVIDER_UNAVAILABLE:
    'The provider did not answer. Try again in a minute; if it persists, check the endpoint or the provider’s status page.',
  STEWARD_PROVIDER_RATE_LIMITED: 'The provider is throttling requests. Wait a minute, then try again.',
  STEWARD_PROVIDER_NOT_FOUND: 'It no longer exists at the provider; reload the page.',
  STEWARD_PROVIDER_REQUEST_REJECTED:
    'The provider refused the request; its reason is above. Change the choice it names and try again.',
  STEWARD_INSECURE_ENDPOINT:
    'Use an https:// endpoint. Plain http is accepted only for the sandbox clouds on Steward’s own machine.',
  STEWARD_ENDPOINT_NOT_ALLOWED:
    'This endpoint is on Steward’s own machine. Start Steward with --sandbox (or ask the operator to allow sandbox endpoints) to use the sandbox clouds.',
  STEWARD_SSH_HOST_KEY_CHANGED:
    'Open the server’s page: compare the new host key with the one on the server’s console before trusting it.',
  STEWARD_SSH_HOST_KEY_UNKNOWN:
    'Give the server’s host key fingerprint, or choose to trust the key it presents the first time.',
  STEWARD_SSH_AUTH_FAILED:
    'Check the user name and the password or key for the first login, then add the server again.',
  STEWARD_SSH_UNREACHABLE: 'Check the address and port, and that a firewall lets Steward reach SSH on the server.',
  STEWARD_SSH_TIMEOUT: 'The server was too slow to answer. Check that it is running, then try again.',
};

export const nextStepFor = (err: ApiError): string | undefined => NEXT_STEP[err.code];

interface ErrorBody {
  error?: { code?: string; message?: string; requestId?: string; details?: Record<string, unknown> };
}

/** Builds an ApiError from whatever a failed response carried (normally the API's coded error body). */
export function apiErrorFrom(response: Response, body: unknown): ApiError {
  const e = (body as ErrorBody | undefined)?.error;
  if (e?.code && e.message)
    return new ApiError(e.code as ErrorCode, e.message, response.status, e.requestId, e.details);
  return new ApiError(
    'STEWARD_UNEXPECTED',
    `Steward answered ${response.status} ${response.statusText} without an explanation.`,
    response.status,
    response.headers.get('x-request-id') ?? undefined,
    undefined,
  );
}
