/**
 * Errors with stable codes. Domain code throws `AppError` (or a subclass) with a code from `ERROR_CODES`;
 * only the API layer turns a code into an HTTP status (through its `kind`). docs/errors.md lists every
 * code, and a test fails when the two drift apart.
 */

/** What sort of failure a code is; the API maps each kind to one HTTP status. */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'upstream'
  | 'internal';

interface CodeInfo {
  readonly kind: ErrorKind;
  readonly summary: string;
}

/** Every stable error code Steward can return. Add new codes here and in docs/errors.md. */
export const ERROR_CODES = {
  STEWARD_INVALID_INPUT: {
    kind: 'invalid_input',
    summary: 'The request does not match the schema; the message names the field.',
  },
  STEWARD_MALFORMED_JSON: { kind: 'invalid_input', summary: 'The request body is not valid JSON.' },
  STEWARD_UNSUPPORTED_MEDIA_TYPE: {
    kind: 'invalid_input',
    summary: 'The request body has a content type the route does not accept.',
  },
  STEWARD_BAD_HEADER: {
    kind: 'invalid_input',
    summary: 'A header holds a control character (CR, LF or NUL) or is otherwise malformed.',
  },
  STEWARD_PAYLOAD_TOO_LARGE: { kind: 'payload_too_large', summary: 'The request body is larger than the limit.' },
  STEWARD_ROUTE_NOT_FOUND: { kind: 'not_found', summary: 'No route answers this method and path.' },
  STEWARD_NOT_FOUND: { kind: 'not_found', summary: 'The resource does not exist or is not visible to you.' },
  STEWARD_UNAUTHENTICATED: { kind: 'unauthenticated', summary: 'Sign in or send a valid API token.' },
  STEWARD_INVALID_CREDENTIALS: { kind: 'unauthenticated', summary: 'The e-mail, password or one-time code is wrong.' },
  STEWARD_TOTP_REQUIRED: {
    kind: 'unauthenticated',
    summary: 'This account needs a one-time code from its authenticator app.',
  },
  STEWARD_TOTP_ENROLMENT_REQUIRED: {
    kind: 'forbidden',
    summary: 'Staff accounts must enrol a second factor before doing anything else.',
  },
  STEWARD_CSRF: {
    kind: 'forbidden',
    summary: 'A state-changing request with a session cookie needs the X-CSRF-Token header.',
  },
  STEWARD_FORBIDDEN: { kind: 'forbidden', summary: 'Your role does not allow this action.' },
  STEWARD_CONFLICT: { kind: 'conflict', summary: 'The request conflicts with the current state of the resource.' },
  STEWARD_EMAIL_TAKEN: { kind: 'conflict', summary: 'An account with this e-mail address already exists.' },
  STEWARD_SIGNUP_LINK_INVALID: {
    kind: 'not_found',
    summary: 'The sign-up confirmation link is unknown, was already used or has expired; sign up again.',
  },
  STEWARD_SIGNUP_DISPOSABLE_EMAIL: {
    kind: 'invalid_input',
    summary: 'Sign-up with an address at a disposable (throwaway) mail service is refused; use a lasting address.',
  },
  STEWARD_REAUTHENTICATION_REQUIRED: {
    kind: 'forbidden',
    summary:
      'This needs your password again (or a fresh one-time code from your authenticator app); a session or API token alone is not enough.',
  },
  STEWARD_LAST_OWNER: { kind: 'conflict', summary: 'An organisation must keep at least one owner.' },
  STEWARD_INVITE_INVALID: {
    kind: 'not_found',
    summary: 'The invitation does not exist, was used, expired or is for another e-mail address.',
  },
  STEWARD_RATE_LIMITED: { kind: 'rate_limited', summary: 'Too many attempts; wait and try again.' },
  STEWARD_SEALED: {
    kind: 'unavailable',
    summary: 'The vault is sealed: the root key is missing or wrong, so secrets cannot be read or written.',
  },
  STEWARD_AUDIT_UNAVAILABLE: {
    kind: 'unavailable',
    summary: 'The audit log cannot be written, so the action was refused.',
  },
  STEWARD_DATABASE_UNAVAILABLE: { kind: 'unavailable', summary: 'The database did not answer in time.' },
  STEWARD_INTEGRITY: { kind: 'internal', summary: 'A sealed value failed its integrity check and was not opened.' },
  STEWARD_INTERNAL: {
    kind: 'internal',
    summary: 'Something failed inside Steward; the request id finds it in the logs.',
  },
  STEWARD_MIGRATION_FAILED: {
    kind: 'internal',
    summary: 'A database migration failed; Steward will not start until it is fixed.',
  },
  STEWARD_CONFIG_INVALID: {
    kind: 'invalid_input',
    summary: 'The configuration (environment or file) is invalid; the message names the variable.',
  },
  STEWARD_KEY_ROTATION_IN_PROGRESS: {
    kind: 'conflict',
    summary: 'Another key rotation is running; wait for it or resume it.',
  },
  STEWARD_JOB_NOT_FOUND: { kind: 'not_found', summary: 'The job does not exist.' },

  // remote/ (SSH)
  STEWARD_SSH_HOST_KEY_CHANGED: {
    kind: 'conflict',
    summary: 'The server presented a host key other than the pinned one; it is blocked until someone re-verifies it.',
  },
  STEWARD_SSH_HOST_KEY_UNKNOWN: {
    kind: 'conflict',
    summary: 'No host key is pinned for this server and first-contact pinning was not requested.',
  },
  STEWARD_SSH_AUTH_FAILED: { kind: 'upstream', summary: 'The server refused the SSH credentials.' },
  STEWARD_SSH_UNREACHABLE: {
    kind: 'upstream',
    summary: 'The server could not be reached over SSH (refused, unreachable or closed).',
  },
  STEWARD_SSH_TIMEOUT: { kind: 'upstream', summary: 'The SSH connection or command took longer than its time limit.' },
  STEWARD_SSH_COMMAND_FAILED: { kind: 'upstream', summary: 'A remote command exited with a non-zero status.' },
  STEWARD_SSH_PROTOCOL: { kind: 'upstream', summary: 'The SSH session failed for a protocol reason.' },
  STEWARD_SERVER_ADDRESS_NOT_ALLOWED: {
    kind: 'invalid_input',
    summary:
      'The server’s address is one the operator does not let Steward connect to (this machine, link-local, metadata or a range STEWARD_SERVER_ADDRESSES leaves out).',
  },
  STEWARD_INVALID_REMOTE_ARGUMENT: {
    kind: 'invalid_input',
    summary: 'A value meant for a remote command (host name, user name, path) is not valid.',
  },
  // remote/ (more)
  STEWARD_REMOTE_STEP_NOT_CONVERGED: {
    kind: 'upstream',
    summary: 'A step was applied on the server but its check still fails afterwards.',
  },
  STEWARD_REMOTE_EXECUTOR_CLOSED: {
    kind: 'unavailable',
    summary: 'The SSH executor is shutting down and takes no new work.',
  },

  // providers/
  STEWARD_PROVIDER_INVALID_CREDENTIALS: {
    kind: 'invalid_input',
    summary: 'The cloud provider rejected the credentials or they lack a needed permission.',
  },
  STEWARD_PROVIDER_NOT_FOUND: { kind: 'not_found', summary: 'The cloud provider does not know this resource.' },
  STEWARD_PROVIDER_RATE_LIMITED: {
    kind: 'rate_limited',
    summary: 'The cloud provider throttled the requests and retries did not get through.',
  },
  STEWARD_PROVIDER_UNAVAILABLE: { kind: 'upstream', summary: 'The cloud provider failed or did not answer in time.' },
  STEWARD_PROVIDER_MALFORMED_RESPONSE: {
    kind: 'upstream',
    summary: 'The cloud provider answered with something Steward could not read.',
  },
  STEWARD_PROVIDER_REQUEST_REJECTED: {
    kind: 'invalid_input',
    summary: 'The cloud provider rejected the request as invalid; the message says why.',
  },
  STEWARD_PROVIDER_UNSUPPORTED: { kind: 'invalid_input', summary: 'This provider does not support the operation.' },
  STEWARD_INSECURE_ENDPOINT: {
    kind: 'invalid_input',
    summary: 'Credentials are only sent over https (plain http only to a loopback sandbox).',
  },

  // core/provisioning
  STEWARD_ENDPOINT_NOT_ALLOWED: {
    kind: 'invalid_input',
    summary:
      'The provider endpoint names a private, link-local or local address (or this machine, unless sandbox endpoints are enabled).',
  },
  STEWARD_PROVIDER_ACCOUNT_UNVERIFIED: {
    kind: 'invalid_input',
    summary:
      'Steward could not verify a provider account when connecting it (the provider did not answer properly); nothing was stored.',
  },
  STEWARD_PROVIDER_ACCOUNT_IN_USE: {
    kind: 'conflict',
    summary: 'The provider account still has servers or launches; remove them first, or remove the account with force.',
  },
  STEWARD_CONFIRMATION_REQUIRED: {
    kind: 'invalid_input',
    summary: 'A destructive action needs `confirm` set to the name or id of what it destroys.',
  },

  // sandbox/hosts (real OpenSSH test hosts)
  STEWARD_TESTHOSTS_PREREQUISITES: {
    kind: 'unavailable',
    summary:
      'This machine lacks what test hosts need (root, sshd, debootstrap, iproute2, overlayfs); the message gives the command that installs it.',
  },
  STEWARD_TESTHOSTS_BASE_ROOT_FAILED: {
    kind: 'internal',
    summary: 'Building the cached Debian root for test hosts (debootstrap) failed; the message ends with its log.',
  },
  STEWARD_TESTHOSTS_SETUP_FAILED: {
    kind: 'internal',
    summary: 'A command that sets up or tears down a test host (ip, mount, useradd, ...) failed.',
  },
  STEWARD_TESTHOSTS_START_FAILED: {
    kind: 'internal',
    summary: 'A test host did not answer with an SSH banner in time; the message ends with its sshd log.',
  },
  STEWARD_TESTHOSTS_TIMEOUT: {
    kind: 'unavailable',
    summary: 'A command inside a test host, or a wait for a lock, took longer than its time limit.',
  },
  STEWARD_TESTHOSTS_POOL_EXHAUSTED: {
    kind: 'unavailable',
    summary: 'Every address in the test-host pool is leased; destroy hosts or clean up stale ones.',
  },
  STEWARD_TESTHOSTS_INVALID_SPEC: {
    kind: 'invalid_input',
    summary: 'A test-host spec or launcher option is invalid; the message names the field.',
  },
  STEWARD_TESTHOSTS_UNSUPPORTED: {
    kind: 'invalid_input',
    summary: 'The operation is not available for this kind of test host (shared hosts have no disk of their own).',
  },
  STEWARD_TESTHOSTS_WRONG_STATE: {
    kind: 'conflict',
    summary: 'The test host is stopped or destroyed, so the operation cannot run now.',
  },

  // tasks/recipes
  STEWARD_RECIPE_UNSUPPORTED_HOST: {
    kind: 'conflict',
    summary:
      'The server lacks what the recipe needs (a package manager, a config file, an OS it supports); the message says what.',
  },
  STEWARD_RECIPE_PACKAGE_FAILED: {
    kind: 'upstream',
    summary:
      "Installing or upgrading packages failed on the server; the message ends with the package manager's words.",
  },
  STEWARD_RECIPE_PACKAGE_LISTS_FAILED: {
    kind: 'upstream',
    summary:
      'The server could not refresh its package lists (offline, or a repository is down), so pending updates are unknown.',
  },
  STEWARD_RECIPE_CONFIG_REJECTED: {
    kind: 'upstream',
    summary:
      "A configuration file Steward prepared failed the server's own check (visudo, sshd -t, nginx -t, fail2ban) and was not put in place.",
  },
  STEWARD_RECIPE_FILE_FAILED: {
    kind: 'upstream',
    summary: 'A file could not be written on the server (a symbolic link in its place, a full disk, no permission).',
  },
  STEWARD_RECIPE_COMMAND_FAILED: {
    kind: 'upstream',
    summary: 'A command a recipe step ran on the server failed; the message says what the step was doing.',
  },
  STEWARD_RECIPE_SERVICE_UNKNOWN: {
    kind: 'not_found',
    summary: 'No service manager on the server (systemd, OpenRC, /etc/init.d) knows the named service.',
  },
  STEWARD_RECIPE_SERVICE_FAILED: {
    kind: 'upstream',
    summary: 'A service did not start, stop or restart as asked, or is not running afterwards.',
  },
  STEWARD_RECIPE_PRECONDITION: {
    kind: 'conflict',
    summary:
      'The server is not ready for this recipe (e.g. the database user does not exist yet); the message says what to run first.',
  },
  STEWARD_RECIPE_SECRET_INVALID: {
    kind: 'internal',
    summary: 'A sealed secret a recipe would send is not of the form Steward generates, so it was not sent.',
  },
  // core/access (staff grants, terminal, staff SSH certificates)
  STEWARD_NO_ACTIVE_GRANT: {
    kind: 'forbidden',
    summary:
      'Staff may act on a customer’s resources only under an active grant that covers this resource and action; none does.',
  },
  STEWARD_STEP_UP_REQUIRED: {
    kind: 'forbidden',
    summary: 'This needs a fresh one-time code from your authenticator app (codes work once).',
  },
  STEWARD_SELF_APPROVAL: {
    kind: 'forbidden',
    summary: 'A grant cannot be approved by the staff member it is for, or by whoever asked for it.',
  },
  STEWARD_GRANT_STATE: {
    kind: 'conflict',
    summary: 'The grant is not in a state that allows this (e.g. approving a revoked grant).',
  },
  STEWARD_ORIGIN_NOT_ALLOWED: { kind: 'forbidden', summary: 'The WebSocket was opened from a page of another origin.' },
  STEWARD_RECORDING_UNAVAILABLE: {
    kind: 'unavailable',
    summary: 'The session recording could not be written, so the terminal was not opened (or was closed).',
  },
  STEWARD_CONSENT_REQUIRED: {
    kind: 'forbidden',
    summary:
      'This needs your consent for the purpose first (the privacy centre records it, and you can withdraw it at any time).',
  },
  STEWARD_UNSUBSCRIBE_INVALID: {
    kind: 'invalid_input',
    summary: 'The unsubscribe link is damaged or incomplete; use the link from the e-mail as it is.',
  },
  STEWARD_NOTICES_PENDING: {
    kind: 'conflict',
    summary:
      'A transfer of personal data cannot be recorded as done until a notice has gone out to every affected person.',
  },
  STEWARD_OWNS_ORGANISATIONS: {
    kind: 'conflict',
    summary: 'An account that owns organisations cannot be deleted; delete them, or make someone else an owner, first.',
  },
  STEWARD_TASK_INTERRUPTED: {
    kind: 'conflict',
    summary:
      'A worker stopped while applying a step that is not safe to repeat; Steward did not apply it again. Check the server, then run the task again.',
  },
  STEWARD_MONITORING_OUTPUT_INVALID: {
    kind: 'upstream',
    summary:
      'A server’s monitoring sample could not be read (the output was cut off or not what the sampling script prints); nothing from it was stored.',
  },
  STEWARD_INCIDENT_CLOSED: {
    kind: 'conflict',
    summary: 'A suspicious-activity grant needs an open incident; this one is closed.',
  },
  STEWARD_INCIDENT_SCOPE: {
    kind: 'invalid_input',
    summary:
      'A suspicious-activity grant may only cover servers its incident was seen on; the message names the others.',
  },
  STEWARD_GRANTS_UNAVAILABLE: {
    kind: 'unavailable',
    summary: 'Suspicious-activity grants need the staff-access module, which this Steward does not run.',
  },

  // core/billing, core/trust, core/privacy (terms, staff undertaking)
  STEWARD_BILLING_PERIOD_OPEN: {
    kind: 'conflict',
    summary: 'The month asked for has not ended yet, so it cannot be invoiced.',
  },
  STEWARD_BILLING_NO_PLAN: {
    kind: 'conflict',
    summary: 'The organisation had no plan in that month, so there is nothing to invoice.',
  },
  STEWARD_BILLING_OVER_CREDIT: {
    kind: 'conflict',
    summary: 'A credit note may not credit more than is left to credit on its invoice.',
  },
  STEWARD_BILLING_OVERPAYMENT: {
    kind: 'conflict',
    summary: 'A payment may not be more than the invoice’s outstanding balance.',
  },
  STEWARD_PAYMENT_FAILED: {
    kind: 'upstream',
    summary: 'The payment provider reported the payment as failed; it was recorded as such.',
  },
  STEWARD_UNDERTAKING_REQUIRED: {
    kind: 'forbidden',
    summary:
      'Staff roles are inactive until the current confidentiality undertaking is accepted (GET and POST /api/staff/undertaking).',
  },
  STEWARD_TERMS_NOT_ACCEPTED: {
    kind: 'forbidden',
    summary: 'The terms of service changed materially; accept the current version first (POST /api/me/terms).',
  },
  STEWARD_ORG_SUSPENDED: {
    kind: 'conflict',
    summary:
      'The organisation is suspended: automation (schedules, monitoring, tasks, launches) is stopped until staff reinstate it. The message says why.',
  },
  // backups
  STEWARD_BACKUP_TOOL_MISSING: {
    kind: 'unavailable',
    summary: 'restic is not installed on the Steward host (Debian: apt-get install restic).',
  },
  STEWARD_BACKUP_TARGET_UNREACHABLE: {
    kind: 'upstream',
    summary: 'The backup target (SFTP host or S3 bucket) could not be reached or refused the credentials.',
  },
  STEWARD_BACKUP_TARGET_FULL: { kind: 'upstream', summary: 'The backup target has no space left.' },
  STEWARD_BACKUP_DATABASE_REFUSED: {
    kind: 'upstream',
    summary: 'The database on the server refused the credentials the plan uses.',
  },
  STEWARD_BACKUP_CAPTURE_FAILED: {
    kind: 'upstream',
    summary: 'Reading the database or files on the server failed; no restore point was written.',
  },
  STEWARD_BACKUP_RESTORE_FAILED: {
    kind: 'upstream',
    summary: 'Writing a restore point back to the server failed; the message says where it stopped.',
  },
  STEWARD_BACKUP_FAILED: { kind: 'upstream', summary: 'restic failed; the message carries its explanation.' },
  STEWARD_BACKUP_INTERRUPTED: {
    kind: 'unavailable',
    summary: 'The worker running a backup stopped before it finished; no restore point was written.',
  },
  STEWARD_BACKUP_REPOSITORY_DAMAGED: {
    kind: 'upstream',
    summary: 'Verifying a backup repository found errors (restic check).',
  },
  STEWARD_BACKUP_REPOSITORY_BUSY: {
    kind: 'unavailable',
    summary: 'Another restic (one run outside Steward, say) holds the backup repository’s lock.',
  },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Base class of every error Steward raises on purpose. `details` must never hold secrets. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get kind(): ErrorKind {
    return ERROR_CODES[this.code].kind;
  }
}

export const notFound = (what: string): AppError => new AppError('STEWARD_NOT_FOUND', `${what} was not found.`);
export const forbidden = (message: string): AppError => new AppError('STEWARD_FORBIDDEN', message);
export const invalidInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError('STEWARD_INVALID_INPUT', message, details);
export const conflict = (message: string): AppError => new AppError('STEWARD_CONFLICT', message);

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}

/** Kinds whose messages describe Steward's own machine (paths, key files, databases), never shown to customers. */
const INTERNAL_KINDS: ReadonlySet<ErrorKind> = new Set(['internal', 'unavailable']);

/**
 * What a customer may read about a failure: the message of an error about their request or their resources, and
 * for a failure inside Steward only its code's summary (the real message goes to the operator's log). Anything
 * that is not an AppError is Steward's own failure. Used for API answers and every stored, customer-visible
 * reason (server status, job errors, sync errors, task output).
 */
export function publicMessage(err: unknown): string {
  if (!isAppError(err)) return ERROR_CODES.STEWARD_INTERNAL.summary;
  return INTERNAL_KINDS.has(err.kind) ? ERROR_CODES[err.code].summary : err.message;
}
