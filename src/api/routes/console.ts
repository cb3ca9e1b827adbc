import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The console's own policy, stricter than the API default: scripts and styles only from Steward's origin (no
 * inline code or styles at all), API calls only to the same origin, never framed.
 */
export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The policy index.html is served with: CONSOLE_CSP, plus one nonce per answer that only style elements made by
 * the console's own scripts carry (the web terminal draws with generated style rules). Markup injected into the
 * page cannot know it, and inline style attributes stay refused.
 */
export const consoleCspWithStyleNonce = (nonce: string): string =>
  CONSOLE_CSP.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`);

/** The meta element that hands the nonce to the console's scripts. */
export const STYLE_NONCE_META = 'steward-style-nonce';

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Steward</title>
</head><body><main>
<h1>Steward</h1>
<p>Steward is running, but its web console has not been built. From the checkout, run <code>npm run build</code> (or only the console: <code>npm run build:web</code>) and restart Steward.</p>
<p>The API is described at <a href="/api/docs">/api/docs</a> (OpenAPI document: <a href="/api/openapi.json">/api/openapi.json</a>).</p>
<p>Health: <a href="/healthz">/healthz</a> · Metrics: <a href="/metrics">/metrics</a></p>
</main></body></html>`;

/** web/dist of the package this file belongs to, found from here (src/ when run by tsx, dist/src/ when built). */
export function consoleDistDir(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return join(from, 'web', 'dist');
    dir = parent;
  }
  return join(dir, 'web', 'dist');
}

const hidden = { schema: { hide: true } };

/**
 * Serves the built console on the API's port: hashed assets under /assets/ (cached for good), a few top-level
 * files, and index.html for every other path that is not the API's (the console routes in the browser).
 * /api/*, /healthz and /metrics are registered routes and always win; unknown /api/ paths keep their JSON 404.
 */
export function consoleRoutes(app: FastifyInstance, options: { distDir?: string } = {}): void {
  const dist = options.distDir ?? consoleDistDir();
  void app.register(async (scope) => {
    // These routes serve only public files, never data. A staff member who has not enrolled a second factor yet
    // must still load the page that enrols them, so the enrolment gate of the auth plugin lets them through.
    scope.addHook('onRoute', (route) => {
      route.config = { ...route.config, allowDuringEnrolment: true };
    });
    if (!existsSync(join(dist, 'index.html'))) {
      scope.get('/', hidden, async (_request, reply) => reply.type('text/html; charset=utf-8').send(NOT_BUILT));
      return;
    }
    await scope.register(fastifyStatic, {
      root: join(dist, 'assets'),
      prefix: '/assets/',
      index: false,
      immutable: true,
      maxAge: '365d',
    });
    const topLevel = new Set(
      readdirSync(dist).filter((name) => name !== 'index.html' && statSync(join(dist, name)).isFile()),
    );

    const page = async (request: FastifyRequest, reply: FastifyReply) => {
      const path = request.url.split('?')[0]!;
      if (path === '/api' || path.startsWith('/api/')) return reply.callNotFound();
      const name = path.slice(1);
      if (topLevel.has(name)) return reply.sendFile(name, dist, { maxAge: '1h', immutable: false });
      const nonce = randomBytes(18).toString('base64');
      const html = (await readFile(join(dist, 'index.html'), 'utf8')).replace(
        '<head>',
        `<head>\n    <meta name="${STYLE_NONCE_META}" content="${nonce}" />`,
      );
      return reply
        .header('content-security-policy', consoleCspWithStyleNonce(nonce))
        .header('cache-control', 'no-cache')
        .type('text/html; charset=utf-8')
        .send(html);
    };
    scope.get('/', hidden, page);
    scope.get('/*', hidden, page);
  });
}
