import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor, requireStaff } from '../plugins/auth.js';
import { errors, OrgParams } from '../schemas.js';

const Job = z
  .object({
    id: z.string(),
    queue: z.string(),
    orgId: z.string().nullable(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    attempts: z.number(),
    maxAttempts: z.number(),
    runAt: z.string(),
    lastError: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'Job' });
const Query = z.strictObject({
  status: z.enum(['queued', 'running', 'done', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Background jobs: running and failed work is visible to the organisation it belongs to and to admins. */
export function jobRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/orgs/:orgId/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Your organisation’s background jobs',
        params: OrgParams,
        querystring: Query,
        response: { 200: z.object({ jobs: z.array(Job) }), ...errors },
      },
    },
    async (request) => {
      await core.orgs.requireMember(requireActor(request), request.params.orgId, 'member', contextOf(request));
      return { jobs: await core.queue.list({ ...request.query, orgId: request.params.orgId }) };
    },
  );
  r.get(
    '/api/staff/outbox',
    {
      schema: {
        tags: ['staff'],
        summary: 'Outgoing e-mail: sent, held (no SMTP server configured), failed (admin)',
        querystring: z.strictObject({
          status: z.enum(['queued', 'held', 'sent', 'failed', 'suppressed']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: {
          200: z.object({
            mails: z.array(
              z.object({
                id: z.string(),
                to: z.string(),
                subject: z.string(),
                text: z.string(),
                category: z.string(),
                template: z.string(),
                status: z.string(),
                attempts: z.number(),
                lastError: z.string().nullable(),
                createdAt: z.string(),
                sentAt: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({ mails: await core.notify.listOutbox(requireActor(request), request.query) }),
  );

  r.get(
    '/api/staff/jobs',
    {
      schema: {
        tags: ['staff'],
        summary: 'All background jobs (admin)',
        querystring: Query,
        response: { 200: z.object({ jobs: z.array(Job) }), ...errors },
      },
    },
    async (request) => {
      requireStaff(request, ['admin']);
      return { jobs: await core.queue.list(request.query) };
    },
  );
}
