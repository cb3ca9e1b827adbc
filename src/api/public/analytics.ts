import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import type { CookieAdvice, VisitorRequest } from '../../core/privacy/analytics.service.js';
import { AppError } from '../../kernel/errors.js';
import { SESSION_COOKIE } from '../plugins/auth.js';

export const ANALYTICS_COOKIE = 'steward_analytics';
/** Thirteen months, the longest an audience-measurement cookie should live. */
const COOKIE_MAX_AGE_S = 395 * 86_400;

/** The script and stylesheet live in src/api/public/assets; found from the package root (tsx and built alike). */
function assetsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return join(dir, 'src', 'api', 'public', 'assets');
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The session cookie, held back from the auth plugin on the analytics endpoints (see below). */
    heldSession?: string;
  }
}

/**
 * The analytics endpoints are posted by a script that has no CSRF token. They change nothing of the person's
 * account beyond the analytics consent, the session cookie is SameSite=Strict (never sent by another site) and
 * the Origin is checked, so the session is taken aside before the auth plugin would demand the token, and read
 * here only to know who is signed in.
 */
async function holdSession(request: FastifyRequest): Promise<void> {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (
    (typeof site === 'string' && site !== 'same-origin') ||
    (typeof origin === 'string' && origin !== 'null' && safeHost(origin) !== request.headers.host)
  ) {
    throw new AppError('STEWARD_FORBIDDEN', 'Analytics are accepted only from Steward’s own pages.');
  }
  request.heldSession = request.cookies[SESSION_COOKIE];
  delete request.cookies[SESSION_COOKIE];
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

/** First-party analytics: the script and its stylesheet, the banner's decision, and the collector. */
export function analyticsRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const dir = assetsDir();
  const script = readFileSync(join(dir, 'steward.js'), 'utf8');
  const styles = readFileSync(join(dir, 'steward.css'), 'utf8');
  const secure = core.config.cookieSecure;
  const hidden = { hide: true };
  const open = { allowDuringEnrolment: true };

  r.get('/analytics/steward.js', { config: open, schema: hidden }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(script),
  );
  r.get('/analytics/steward.css', { config: open, schema: hidden }, async (_request, reply) =>
    reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(styles),
  );

  async function visitor(request: FastifyRequest): Promise<VisitorRequest> {
    const actor = request.heldSession ? await core.sessions.authenticateSession(request.heldSession) : undefined;
    return {
      ip: request.ip,
      requestId: String(request.id),
      headers: request.headers,
      visitorCookie: request.cookies[ANALYTICS_COOKIE],
      userId: actor?.kind === 'customer' ? actor.userId : undefined,
    };
  }

  function applyCookie(reply: FastifyReply, advice: CookieAdvice): void {
    if (advice.set)
      void reply.setCookie(ANALYTICS_COOKIE, advice.set, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: COOKIE_MAX_AGE_S,
      });
    else if (advice.clear)
      void reply.clearCookie(ANALYTICS_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' });
  }

  r.post(
    '/analytics/consent',
    {
      config: open,
      preValidation: holdSession,
      schema: { hide: true, body: z.strictObject({ analytics: z.boolean() }) },
    },
    async (request, reply) => {
      const advice = await core.privacy.analytics.bannerDecision(request.body.analytics, await visitor(request));
      applyCookie(reply, advice);
      return reply.code(204).header('cache-control', 'no-store').send();
    },
  );

  r.post(
    '/analytics/collect',
    {
      config: open,
      preValidation: holdSession,
      bodyLimit: 4096,
      schema: {
        hide: true,
        body: z.strictObject({
          kind: z.enum(['pageview', 'download']),
          path: z.string().max(2000),
          referrer: z.string().max(2000).optional(),
          language: z.string().max(40).optional(),
        }),
      },
    },
    async (request, reply) => {
      const advice = await core.privacy.analytics.collect(request.body, await visitor(request));
      applyCookie(reply, advice);
      // The same empty answer whether or not the event was kept: the page learns nothing either way.
      return reply.code(204).header('cache-control', 'no-store').send();
    },
  );
}
