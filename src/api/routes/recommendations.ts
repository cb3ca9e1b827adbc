import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, OrgParams } from '../schemas.js';

const Recommendations = z
  .object({
    consented: z.boolean(),
    computedAt: z.string().nullable(),
    items: z.array(
      z.object({
        kind: z.enum(['security_updates', 'no_backup_plan', 'disk_filling', 'better_plan']),
        title: z.string(),
        detail: z.string(),
        serverId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Recommendations' });

/** Personalised recommendations for the signed-in member, only with their consent. */
export function recommendationRoutes(app: FastifyInstance, core: Core): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    '/api/orgs/:orgId/recommendations',
    {
      schema: {
        tags: ['orgs'],
        summary:
          'Suggestions from your organisation’s own discovery, monitoring and usage, if you consented to personalised recommendations (otherwise nothing is computed)',
        params: OrgParams,
        response: { 200: Recommendations, ...errors },
      },
    },
    async (request) => core.recommendations.forMember(requireActor(request), request.params.orgId, contextOf(request)),
  );
}
