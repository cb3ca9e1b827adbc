import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { REVIEW_SIGNALS } from '../../core/trust/index.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, Page, text } from '../schemas.js';

const ReviewItem = z
  .object({
    id: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    signal: z.enum(REVIEW_SIGNALS),
    summary: z.string(),
    details: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'dismissed', 'suspended']),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    outcome: z.string().nullable(),
    suspended: z.boolean(),
  })
  .meta({ id: 'ReviewItem' });
const Suspension = z
  .object({
    id: z.string(),
    orgId: z.string(),
    orgName: z.string(),
    reason: z.string(),
    reviewItemId: z.string().nullable(),
    suspendedAt: z.string(),
    appealRequestId: z.string().nullable(),
    reinstatedAt: z.string().nullable(),
    reinstateNote: z.string().nullable(),
  })
  .meta({ id: 'Suspension' });
const Standing = z
  .object({
    suspended: z.boolean(),
    reason: z.string().nullable(),
    since: z.string().nullable(),
    appealRequestId: z.string().nullable(),
  })
  .meta({ id: 'OrgStanding' });

/** Fraud and abuse: the staff review queue, suspensions and reinstatement; members' view of it and their appeal. */
export function trustRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const t = core.trust;

  r.get(
    '/api/orgs/:orgId/standing',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Whether the organisation is suspended, why, and the appeal if one was made',
        params: OrgParams,
        response: { 200: Standing, ...errors },
      },
    },
    async (request) => t.suspensions.statusFor(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.post(
    '/api/orgs/:orgId/appeal',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Appeal a suspension: opens a support request that security or admin staff answer',
        params: OrgParams,
        body: z.strictObject({ message: text(5000) }),
        response: { 201: z.object({ supportRequestId: z.string() }), ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await t.suspensions.appeal(
            requireActor(request),
            request.params.orgId,
            request.body.message,
            contextOf(request),
          ),
        ),
  );

  r.get(
    '/api/staff/review',
    {
      schema: {
        tags: ['staff'],
        summary: 'The fraud and abuse review queue (security, admin)',
        querystring: Page.extend({ status: z.enum(['open', 'dismissed', 'suspended']).optional() }),
        response: { 200: z.object({ items: z.array(ReviewItem) }), ...errors },
      },
    },
    async (request) => ({
      items: await t.queue.list(requireActor(request), {
        limit: request.query.limit,
        ...(request.query.status ? { status: request.query.status } : {}),
      }),
    }),
  );

  r.post(
    '/api/staff/orgs/:orgId/review',
    {
      schema: {
        tags: ['staff'],
        summary: 'Put an organisation in the review queue yourself, saying why (security, admin)',
        params: OrgParams,
        body: z.strictObject({ summary: text(500) }),
        response: { 201: ReviewItem, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await t.queue.raiseByStaff(
            requireActor(request),
            request.params.orgId,
            request.body.summary,
            contextOf(request),
          ),
        ),
  );

  r.post(
    '/api/staff/review/:itemId/dismiss',
    {
      schema: {
        tags: ['staff'],
        summary: 'Dismiss a review item with a note (security, admin)',
        params: z.strictObject({ itemId: idOf('rev') }),
        body: z.strictObject({ note: text(500) }),
        response: { 200: ReviewItem, ...errors },
      },
    },
    async (request) =>
      t.queue.dismiss(requireActor(request), request.params.itemId, request.body.note, contextOf(request)),
  );

  r.get(
    '/api/staff/suspensions',
    {
      schema: {
        tags: ['staff'],
        summary: 'Suspended organisations (or, with active=false, past suspensions)',
        querystring: Page.extend({ active: z.enum(['true', 'false']).default('true') }),
        response: { 200: z.object({ suspensions: z.array(Suspension) }), ...errors },
      },
    },
    async (request) => ({
      suspensions: await t.suspensions.list(requireActor(request), {
        active: request.query.active === 'true',
        limit: request.query.limit,
      }),
    }),
  );

  r.post(
    '/api/staff/orgs/:orgId/suspension',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Suspend an organisation (security, admin): automation stops, data and servers stay; members are told the reason',
        params: OrgParams,
        body: z.strictObject({ reason: text(500), reviewItemId: idOf('rev').optional() }),
        response: { 201: Suspension, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await t.suspensions.suspend(requireActor(request), request.params.orgId, request.body, contextOf(request)),
        ),
  );

  r.delete(
    '/api/staff/orgs/:orgId/suspension',
    {
      schema: {
        tags: ['staff'],
        summary: 'Reinstate a suspended organisation (security, admin): its schedules and monitoring resume',
        params: OrgParams,
        body: z.strictObject({ note: text(500) }),
        response: { 200: Suspension, ...errors },
      },
    },
    async (request) =>
      t.suspensions.reinstate(requireActor(request), request.params.orgId, request.body.note, contextOf(request)),
  );
}
