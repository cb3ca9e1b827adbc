import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../kernel/errors.js';
import type { Actor } from '../../core/actor.js';
import type { RequestContext } from '../../core/audit/audit.service.js';
import { csrfMatches } from '../../core/users/sessions.service.js';
import type { Core } from '../../core/core.js';

export const SESSION_COOKIE = 'steward_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | undefined;
    /** The request carried STEWARD_METRICS_TOKEN (only on routes that accept it). */
    metricsReader: boolean;
  }
  interface FastifyContextConfig {
    /** Routes a staff member may use before enrolling a second factor. */
    allowDuringEnrolment?: boolean;
    /** The route also accepts the operator's STEWARD_METRICS_TOKEN as its bearer token (/metrics). */
    acceptsMetricsToken?: boolean;
    /** Routes a staff member may use before accepting the current confidentiality undertaking (reading it, accepting it). */
    allowWithoutUndertaking?: boolean;
    /**
     * Routes a customer may use while a materially changed terms version waits for their acceptance (reading and
     * accepting it, exporting or deleting their data); the account basics (`allowDuringEnrolment`) stay open too.
     */
    allowWithoutTerms?: boolean;
  }
}

/** The actor of a request, or 401. Route handlers start with this (or `optionalActor`). */
export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor)
    throw new AppError('STEWARD_UNAUTHENTICATED', 'Sign in, or send an API token as "Authorization: Bearer stw_…".');
  return request.actor;
}

export function requireStaff(request: FastifyRequest, roles: readonly string[]): Actor {
  const actor = requireActor(request);
  if (actor.kind !== 'staff' || !actor.staffRoles.some((r) => roles.includes(r))) {
    throw new AppError('STEWARD_FORBIDDEN', `This needs a staff account with one of these roles: ${roles.join(', ')}.`);
  }
  return actor;
}

export const contextOf = (request: FastifyRequest): RequestContext => ({
  requestId: String(request.id),
  ip: request.ip,
});

export function setSessionCookie(reply: FastifyReply, token: string, expiresAt: string, secure: boolean): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    expires: new Date(expiresAt),
  });
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  void reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}

/**
 * Resolves who is calling: an API token (Authorization: Bearer) or a session cookie. Cookie-authenticated
 * requests that change state must carry the session's CSRF token. Unknown credentials are treated as none (the
 * route then answers 401), so a stale cookie never breaks public routes.
 */
export function registerAuth(app: FastifyInstance, core: Core): void {
  app.decorateRequest('actor', undefined);
  app.decorateRequest('metricsReader', false);
  const metricsToken = core.config.metricsToken ? Buffer.from(core.config.metricsToken.reveal()) : undefined;
  const isMetricsToken = (presented: string): boolean => {
    const given = Buffer.from(presented);
    return metricsToken !== undefined && given.length === metricsToken.length && timingSafeEqual(given, metricsToken);
  };
  app.addHook('preHandler', async (request) => {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_+/=.~-]{1,200})$/.exec(authorization);
      if (!match)
        throw new AppError('STEWARD_UNAUTHENTICATED', 'The Authorization header must be "Bearer <API token>".');
      if (request.routeOptions.config.acceptsMetricsToken && isMetricsToken(match[1]!)) {
        request.metricsReader = true;
        return;
      }
      request.actor = await core.sessions.authenticateToken(match[1]!);
      if (!request.actor)
        throw new AppError('STEWARD_UNAUTHENTICATED', 'The API token is unknown, revoked or expired.');
    } else {
      const token = request.cookies[SESSION_COOKIE];
      if (token) {
        request.actor = await core.sessions.authenticateSession(token);
        if (request.actor && !SAFE_METHODS.has(request.method)) {
          const presented = request.headers['x-csrf-token'];
          if (typeof presented !== 'string' || !csrfMatches(token, presented)) {
            await core.audit.recordAlone(
              {
                action: 'access.denied',
                actor: { type: request.actor.kind === 'staff' ? 'staff' : 'user', id: request.actor.userId },
                result: 'denied',
                details: { reason: 'csrf', route: request.routeOptions.url ?? null },
              },
              contextOf(request),
            );
            throw new AppError(
              'STEWARD_CSRF',
              'Send the X-CSRF-Token header you received at sign-in (GET /api/auth/session returns it too).',
            );
          }
        }
      }
    }
    if (request.actor?.needsTotpEnrolment && !request.routeOptions.config.allowDuringEnrolment) {
      throw new AppError(
        'STEWARD_TOTP_ENROLMENT_REQUIRED',
        'Staff accounts must turn on a second factor first: POST /api/me/totp/enrol, then /api/me/totp/confirm.',
      );
    }
    // A customer held by materially changed terms: everything waits for their acceptance but the account's basics,
    // the terms themselves and their data rights.
    if (
      request.actor?.kind === 'customer' &&
      !request.routeOptions.config.allowDuringEnrolment &&
      !request.routeOptions.config.allowWithoutTerms &&
      (await core.privacy.terms.isHeld(request.actor.userId))
    ) {
      throw new AppError(
        'STEWARD_TERMS_NOT_ACCEPTED',
        'The terms of service changed: read them at GET /api/me/terms and accept them with POST /api/me/terms ' +
          '(the console shows them at sign-in). Until then only your profile, the terms and your data export work.',
      );
    }
    // No staff role is active before the current confidentiality undertaking is accepted: refuse everything but
    // the account's basics and the undertaking itself.
    const config = request.routeOptions.config;
    if (
      request.actor?.kind === 'staff' &&
      !config.allowDuringEnrolment &&
      !config.allowWithoutUndertaking &&
      !(await core.privacy.undertakings.hasAcceptedCurrent(request.actor.userId))
    ) {
      await core.audit.recordAlone(
        {
          action: 'access.denied',
          actor: { type: 'staff', id: request.actor.userId },
          result: 'denied',
          details: { reason: 'undertaking_not_accepted', route: request.routeOptions.url ?? null },
        },
        contextOf(request),
      );
      throw new AppError(
        'STEWARD_UNDERTAKING_REQUIRED',
        'Your staff roles are inactive until you accept the current confidentiality undertaking: read it at GET /api/staff/undertaking and accept it with POST /api/staff/undertaking and a fresh one-time code.',
      );
    }
  });
}
