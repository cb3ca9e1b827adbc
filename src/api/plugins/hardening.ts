import type { FastifyInstance } from 'fastify';
import { AppError } from '../../kernel/errors.js';

// Control characters other than tab. Node's parser already refuses CR and LF in header values; this also
// covers NUL and the rest, and anything a proxy might have let through.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Security headers on every response; header values with control characters refused before any handler runs. */
export function registerHardening(app: FastifyInstance, options: { https: boolean }): void {
  app.addHook('onRequest', async (request) => {
    for (const [name, value] of Object.entries(request.headers)) {
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'string' && CONTROL.test(v))) {
        throw new AppError('STEWARD_BAD_HEADER', `The ${name} header holds a control character; remove it.`);
      }
    }
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
    if (!reply.hasHeader('content-security-policy')) {
      reply.header(
        'content-security-policy',
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      );
    }
    if (options.https) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
}
