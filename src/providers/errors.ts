import { AppError, type ErrorCode } from '../kernel/errors.js';
import type { ProviderName } from './types.js';

/** What a provider said about a failure, kept for logs and support. Never holds credentials. */
export interface ProviderErrorContext {
  readonly provider: ProviderName;
  readonly operation?: string;
  /** The provider's own error code (`AuthFailure`, `X-Elastic-Error: busy`…). */
  readonly providerCode?: string;
  readonly status?: number;
  readonly requestId?: string;
}

/** Base of every normalised driver failure. */
export class ProviderError extends AppError {
  readonly provider: ProviderName;
  readonly operation: string | undefined;
  readonly providerCode: string | undefined;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, ctx: ProviderErrorContext, extra?: Record<string, unknown>) {
    super(code, message, { ...compact(ctx), ...extra });
    this.name = new.target.name;
    this.provider = ctx.provider;
    this.operation = ctx.operation;
    this.providerCode = ctx.providerCode;
    this.status = ctx.status;
    this.requestId = ctx.requestId;
  }
}

export class InvalidCredentialsError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_PROVIDER_INVALID_CREDENTIALS', message, ctx);
  }
}

export class NotFoundError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_PROVIDER_NOT_FOUND', message, ctx);
  }
}

export class RateLimitedError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_PROVIDER_RATE_LIMITED', message, ctx);
  }
}

export class ProviderUnavailableError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext, options?: { cause?: unknown }) {
    super('STEWARD_PROVIDER_UNAVAILABLE', message, ctx);
    // Not in `details` (answers carry those): only the operator's log sees what the socket said.
    if (options?.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause });
  }
}

/** Bodies are kept (cut to this many characters) so a support engineer can see what the provider sent. */
export const MALFORMED_BODY_LIMIT = 4096;

export class MalformedResponseError extends ProviderError {
  readonly body: string;

  constructor(message: string, ctx: ProviderErrorContext, body: string) {
    const kept = body.length > MALFORMED_BODY_LIMIT ? `${body.slice(0, MALFORMED_BODY_LIMIT)}…` : body;
    super('STEWARD_PROVIDER_MALFORMED_RESPONSE', message, ctx, { body: kept });
    this.body = kept;
  }
}

export class RequestRejectedError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_PROVIDER_REQUEST_REJECTED', message, ctx);
  }
}

export class UnsupportedOperationError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_PROVIDER_UNSUPPORTED', message, ctx);
  }
}

export class InsecureEndpointError extends ProviderError {
  constructor(message: string, ctx: ProviderErrorContext) {
    super('STEWARD_INSECURE_ENDPOINT', message, ctx);
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}

function compact(ctx: ProviderErrorContext): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ctx).filter(([, v]) => v !== undefined));
}
