import type { FastifyInstance } from 'fastify';
import type { Core } from '../core/core.js';
import { buildApp } from './app.js';

/** Starts the HTTP server on the configured address; returns the app and the URL it listens on. */
export async function startApi(core: Core): Promise<{ app: FastifyInstance; url: string }> {
  const app = await buildApp(core);
  const address = await app.listen({ host: core.config.host, port: core.config.port });
  return { app, url: address };
}
