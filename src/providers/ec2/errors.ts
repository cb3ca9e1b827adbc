import {
  InvalidCredentialsError,
  MalformedResponseError,
  NotFoundError,
  ProviderError,
  ProviderUnavailableError,
  RateLimitedError,
  RequestRejectedError,
  type ProviderErrorContext,
} from '../errors.js';

/** What the AWS SDK puts on the errors it throws (service errors, network errors, parse errors). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
  $responseBodyText?: string;
  $response?: { body?: unknown; statusCode?: number };
}

// Our own wording: AWS messages are not echoed for credential failures, so nothing request-derived leaks.
const CREDENTIAL_MESSAGES: Record<string, (op: string) => string> = {
  AuthFailure: () =>
    'AWS did not accept the access key (AuthFailure): check the access key id and secret access key, and that the key is active.',
  InvalidClientTokenId: () =>
    'AWS does not know this access key id (InvalidClientTokenId): check it was copied whole and is still active.',
  SignatureDoesNotMatch: () =>
    'AWS rejected the request signature (SignatureDoesNotMatch): the secret access key does not belong to this access key id.',
  IncompleteSignature: () => 'AWS rejected the request signature as incomplete (IncompleteSignature).',
  MissingAuthenticationToken: () => 'AWS received no credentials (MissingAuthenticationToken).',
  InvalidAccessKeyId: () => 'AWS does not know this access key id (InvalidAccessKeyId).',
  ExpiredToken: () => 'The temporary AWS credentials have expired (ExpiredToken).',
  RequestExpired: () => "AWS refused the request as expired (RequestExpired): check this machine's clock.",
  OptInRequired: () => 'The AWS account is not subscribed to EC2 in this region (OptInRequired).',
  UnauthorizedOperation: (op) =>
    `The AWS credentials are valid but not allowed to call ${op} (UnauthorizedOperation): allow ec2:${op} in the IAM policy.`,
  AccessDenied: (op) =>
    op === 'sts:AssumeRole'
      ? 'AWS refused to let the credentials assume the role (AccessDenied): check the role ARN, that its trust policy names the calling account, and the external id.'
      : `The AWS credentials are not allowed to call ${op} (AccessDenied).`,
};

const THROTTLING = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'TooManyRequestsException',
  'EC2ThrottledException',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EADDRREFUSED',
]);

/**
 * Turns whatever the SDK (or our own middleware) threw into a normalised provider error. `rawBody` is the
 * answer as received, kept for answers the SDK could not read.
 */
export function mapEc2Error(err: unknown, operation: string, rawBody?: string): Error {
  if (err instanceof MalformedResponseError && err.body === '' && rawBody !== undefined && rawBody !== '') {
    return new MalformedResponseError(err.message, err, rawBody);
  }
  if (err instanceof ProviderError) return err;
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('STEWARD_'))
    return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape;
  if ((err as Error | undefined)?.name === 'AbortError') return err as Error;
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const code = e.name ?? 'Error';
  const ctx: ProviderErrorContext = {
    provider: 'ec2',
    operation,
    providerCode: code,
    status,
    requestId: e.$metadata?.requestId,
  };
  const attempts = e.$metadata?.attempts;
  const after = attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : '';

  const credentialMessage = CREDENTIAL_MESSAGES[code];
  if (credentialMessage !== undefined) return new InvalidCredentialsError(credentialMessage(operation), ctx);
  if (THROTTLING.has(code))
    return new RateLimitedError(`AWS kept throttling ${operation} (${code})${after}; try again later.`, ctx);
  if (code.endsWith('.NotFound') || code === 'NotFound') return new NotFoundError(`${code}: ${clean(e.message)}`, ctx);

  if (status !== undefined && status >= 300 && status < 400) {
    return new ProviderUnavailableError(
      `AWS answered ${operation} with a redirect (HTTP ${status}), which is never followed.`,
      ctx,
    );
  }
  const body = e.$responseBodyText ?? (typeof e.$response?.body === 'string' ? e.$response.body : undefined);
  if (body !== undefined || /Deserialization error/i.test(e.message ?? '')) {
    return new MalformedResponseError(
      `AWS answered ${operation} with a body that could not be read.`,
      ctx,
      body || (rawBody ?? ''),
    );
  }
  // No HTTP answer at all (refused, reset, silent, TLS failed, a name the address policy refuses): one wording for
  // every cause, so the error cannot tell an open port from a closed one. The cause stays for the operator's log.
  if (
    (e.code !== undefined && NETWORK.has(e.code)) ||
    code === 'TimeoutError' ||
    code === 'RequestTimeout' ||
    (status === undefined && e.$response === undefined)
  ) {
    return new ProviderUnavailableError(
      `Steward could not reach the AWS endpoint for ${operation}.`,
      { ...ctx, providerCode: 'unreachable' },
      { cause: err },
    );
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new ProviderUnavailableError(
      `AWS failed ${operation} (${code}${status === undefined ? '' : `, HTTP ${status}`})${after}.`,
      ctx,
    );
  }
  if (e.$metadata !== undefined)
    return new RequestRejectedError(`AWS rejected ${operation}: ${code}: ${clean(e.message)}`, ctx);
  return new ProviderUnavailableError(`The request ${operation} failed before AWS answered: ${clean(e.message)}`, ctx);
}

function clean(message: string | undefined): string {
  return (message ?? '').replace(/\s+/g, ' ').trim().slice(0, 500);
}
