import type { FastifyInstance } from 'fastify';

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Steward</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}
code{background:#f0f2f4;padding:.1rem .3rem;border-radius:4px}@media(prefers-color-scheme:dark){body{background:#111418;color:#e6e8ea}code{background:#22272e}}</style>
</head><body><main>
<h1>Steward</h1>
<p>Steward is running. The API is described at <a href="/api/docs">/api/docs</a> (OpenAPI document: <a href="/api/openapi.json">/api/openapi.json</a>).</p>
<p>Health: <a href="/healthz">/healthz</a> · Metrics: <a href="/metrics">/metrics</a></p>
</main></body></html>`;

/** The landing page served at the root of the console's origin. */
export function consoleRoutes(app: FastifyInstance): void {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE));
}
