import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { requireStaff } from '../plugins/auth.js';

const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  vault: z.object({ sealed: z.boolean(), reason: z.string().optional() }),
  audit: z.enum(['ok', 'failing']),
  database: z.enum(['ok', 'failing']),
});

/** Operator endpoints: health for load balancers, metrics for Prometheus. */
export function systemRoutes(app: FastifyInstance, core: Core, registry: Registry): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Health of this node (503 when sealed or the database fails)',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const database = await sql`select 1`.execute(core.db).then(
        () => 'ok' as const,
        () => 'failing' as const,
      );
      const status = core.vault.status();
      const audit = core.audit.health().status;
      const healthy = !status.sealed && database === 'ok' && audit === 'ok';
      return reply.code(healthy ? 200 : 503).send({
        status: healthy ? 'ok' : 'degraded',
        vault: status.sealed ? { sealed: true, reason: status.reason } : { sealed: false },
        audit,
        database,
      });
    },
  );
  app.get(
    '/metrics',
    {
      config: { acceptsMetricsToken: true },
      schema: {
        tags: ['system'],
        summary: 'Prometheus metrics: for the STEWARD_METRICS_TOKEN bearer token, or admin staff',
        hide: false,
      },
    },
    async (request, reply) => {
      // Request counts by route, job counts and process figures are the operator's, not anyone's who asks.
      if (!request.metricsReader) requireStaff(request, ['admin']);
      reply.type(registry.contentType);
      return registry.metrics();
    },
  );
}
