import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import {
  AppError,
  ERROR_CODES,
  isAppError,
  publicMessage,
  type ErrorCode,
  type ErrorKind,
} from '../../kernel/errors.js';

/** The one mapping from error kinds to HTTP statuses. */
export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  upstream: 502,
  unavailable: 503,
};

export const statusOf = (code: ErrorCode): number =>
  code === 'STEWARD_UNSUPPORTED_MEDIA_TYPE' ? 415 : STATUS_OF_KIND[ERROR_CODES[code].kind];

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; details?: Record<string, unknown> };
}

function describeValidation(err: FastifyError): string {
  const first = err.validation?.[0] as
    { keyword?: string; instancePath?: string; message?: string; params?: { keys?: string[] } } | undefined;
  const where = err.validationContext ?? 'body';
  if (first?.keyword === 'unrecognized_keys' && first.params?.keys)
    return `${where} has unknown field(s): ${first.params.keys.join(', ')}. Remove them.`;
  const path = (first?.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  const message = first?.message ?? 'is invalid';
  return path ? `${where}.${path}: ${message}` : `${where}: ${message}`;
}

// Database errors that mean "not now" rather than "broken": busy or locked, timed out, connection lost.
const DB_UNAVAILABLE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  '57014',
  '55P03',
  '57P01',
  '57P03',
  '08000',
  '08003',
  '08006',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
]);

/** Turns any error into an AppError with a stable code; anything unexpected becomes STEWARD_INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const dbCode = (err as { code?: unknown })?.code;
  if (typeof dbCode === 'string' && DB_UNAVAILABLE.has(dbCode))
    return new AppError(
      'STEWARD_DATABASE_UNAVAILABLE',
      'The database is busy or unreachable; try again shortly.',
      undefined,
      { cause: err },
    );
  const e = err as FastifyError & { type?: string };
  if (hasZodFastifySchemaValidationErrors(e) || e.validation)
    return new AppError('STEWARD_INVALID_INPUT', describeValidation(e));
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 413 || e.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new AppError('STEWARD_PAYLOAD_TOO_LARGE', 'The request body is too large.');
  if (status === 415 || e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new AppError('STEWARD_UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  if (e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return new AppError('STEWARD_MALFORMED_JSON', 'The body is empty; send a JSON object (or no Content-Type header).');
  if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return new AppError('STEWARD_MALFORMED_JSON', 'The request body is not valid JSON.');
  if (e.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH')
    return new AppError('STEWARD_INVALID_INPUT', 'The Content-Length header does not match the body.');
  if (status >= 400 && status < 500) return new AppError('STEWARD_INVALID_INPUT', 'The request is malformed.');
  return new AppError(
    'STEWARD_INTERNAL',
    'Something went wrong inside Steward. The request id finds the details in the logs.',
    undefined,
    { cause: err },
  );
}

export function sendError(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const appErr = toAppError(err);
  const status = statusOf(appErr.code);
  if (status >= 500) {
    const cause = appErr.code === 'STEWARD_INTERNAL' ? err : appErr.cause;
    request.log.error(
      {
        code: appErr.code,
        message: appErr.message,
        err: cause instanceof Error ? { type: cause.name, message: cause.message, stack: cause.stack } : undefined,
      },
      'request failed',
    );
  }
  // A failure inside Steward answers with its code's summary: its own message may name files or hosts of this machine.
  const body: ErrorBody = {
    error: { code: appErr.code, message: publicMessage(appErr), requestId: String(request.id) },
  };
  if (appErr.details && status < 500) body.error.details = appErr.details;
  if (appErr.code === 'STEWARD_RATE_LIMITED') {
    const wait = appErr.details?.retryAfterSeconds;
    void reply.header('retry-after', typeof wait === 'number' ? String(wait) : '60');
  }
  return reply.code(status).type('application/json; charset=utf-8').send(body);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new AppError(
        'STEWARD_ROUTE_NOT_FOUND',
        `No route for ${request.method} ${request.url.split('?')[0]}. The API is described at /api/openapi.json.`,
      ),
    ),
  );
}
