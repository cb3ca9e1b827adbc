import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';

const Entry = z
  .object({
    seq: z.number(),
    id: z.string(),
    at: z.string(),
    action: z.string(),
    actor: z.object({ type: z.string(), id: z.string().nullable() }),
    target: z.object({ type: z.string(), id: z.string() }).nullable(),
    result: z.string(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'AuditEntry' });
const Query = z.strictObject({
  before: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .describe('Only entries older than this sequence number (for paging)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  action: z
    .string()
    .regex(/^[a-z_]+\.[a-z_]+$/)
    .optional(),
});

/** Reading the audit log: customers their organisation's, staff (admin, security) any, with a reason. */
export function auditRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/orgs/:orgId/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'Your organisation’s audit log, newest first',
        params: OrgParams,
        querystring: Query,
        response: { 200: z.object({ entries: z.array(Entry) }), ...errors },
      },
    },
    async (request) => ({
      entries: await core.auditReader.forOrg(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/audit/checkpoint',
    {
      schema: {
        tags: ['audit'],
        summary: 'The latest signed checkpoint of the audit chain, to keep in your own records',
        description:
          'The signature is Ed25519 over the UTF-8 text `steward-audit-checkpoint/1\\n<chainSeq>\\n<hash>\\n<at>\\n`, ' +
          'checked with `publicKey` (raw 32 bytes, base64url). `checkpoint` is null until the first one is signed.',
        params: OrgParams,
        response: {
          200: z.object({
            checkpoint: z
              .object({ chainSeq: z.number(), hash: z.string(), at: z.string(), signature: z.string() })
              .nullable(),
            publicKey: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (request) => core.auditReader.checkpointFor(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.get(
    '/api/staff/audit',
    {
      schema: {
        tags: ['staff'],
        summary: 'The audit log across organisations (admin, security); the read is itself audited',
        querystring: Query.extend({ orgId: idOf('org').optional(), reason: text(500) }),
        response: { 200: z.object({ entries: z.array(Entry) }), ...errors },
      },
    },
    async (request) => {
      const { orgId, ...filter } = request.query;
      return { entries: await core.auditReader.asStaff(requireActor(request), orgId, filter, contextOf(request)) };
    },
  );
}
