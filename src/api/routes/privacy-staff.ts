import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { PERSONAL_FIELDS } from '../../core/privacy/index.js';
import { invalidInput } from '../../kernel/errors.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';
import { PolicySchema } from './privacy.js';

const NO_CONTROL_BODY = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const longText = (max: number) =>
  z.string().trim().min(1).max(max).regex(NO_CONTROL_BODY, 'must not contain control characters');

const Disclosure = z
  .object({
    id: z.string(),
    kind: z.enum(['partner', 'legal', 'transfer']),
    recipient: z.string(),
    description: z.string(),
    agreementRef: z.string().nullable(),
    legalBasis: z.enum(['subpoena', 'court_order', 'other']).nullable(),
    reference: z.string().nullable(),
    dataCategories: z.array(z.string()),
    orgIds: z.array(z.string()).nullable(),
    status: z.enum(['recorded', 'planned', 'notifying', 'done']),
    disclosedAt: z.string().nullable(),
    noticesRequestedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Disclosure' });
const DisclosureDetail = Disclosure.extend({
  notices: z.object({ affected: z.number(), queued: z.number(), delivered: z.number() }).nullable(),
}).meta({ id: 'DisclosureDetail' });
const DisclosureParams = z.strictObject({ disclosureId: idOf('dsc') });
const Field = z.enum(PERSONAL_FIELDS);
const Person = z
  .object({ id: z.string(), name: z.string(), email: z.string(), phone: z.string().nullable(), masked: z.array(Field) })
  .meta({ id: 'MaskedPerson' });
const Count = z.object({ key: z.string(), count: z.number() });
const AnalyticsSummary = z
  .object({
    from: z.string(),
    to: z.string(),
    pageViews: z.number(),
    visitors: z.number(),
    visits: z.number(),
    topPages: z.array(Count),
    referrers: z.array(Count),
    downloads: z.array(Count),
    browsers: z.array(Count),
    systems: z.array(Count),
    languages: z.array(Count),
    daily: z.array(z.object({ day: z.string(), views: z.number(), visitors: z.number() })),
  })
  .meta({ id: 'AnalyticsSummary' });
const Review = z
  .object({
    generatedAt: z.string(),
    since: z.string(),
    staleSince: z.string(),
    personalDataReads: z.array(
      z.object({
        at: z.string(),
        staffId: z.string().nullable(),
        staffName: z.string().nullable(),
        action: z.string(),
        orgId: z.string().nullable(),
        target: z.object({ type: z.string(), id: z.string() }).nullable(),
        reason: z.string().nullable(),
        fields: z.array(z.string()),
      }),
    ),
    readsByStaff: z.array(z.object({ staffId: z.string(), staffName: z.string().nullable(), count: z.number() })),
    staleRoles: z.array(
      z.object({
        staffId: z.string(),
        staffName: z.string().nullable(),
        roles: z.array(z.string()),
        lastSignInAt: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
    unusedGrants: z.object({
      status: z.enum(['ok', 'pending']),
      message: z.string().nullable(),
      grants: z.array(
        z.object({
          id: z.string(),
          orgId: z.string(),
          staffId: z.string().nullable(),
          staffName: z.string().nullable(),
          reason: z.string(),
          state: z.string(),
          startsAt: z.string().nullable(),
          endsAt: z.string().nullable(),
        }),
      ),
    }),
    undertakings: z.object({
      current: z.object({ id: z.string(), version: z.string(), publishedAt: z.string() }).nullable(),
      acceptances: z.array(
        z.object({
          staffId: z.string(),
          staffName: z.string().nullable(),
          version: z.string(),
          acceptedAt: z.string(),
          secondFactor: z.string(),
        }),
      ),
      notAccepted: z.array(z.object({ staffId: z.string(), staffName: z.string().nullable() })),
    }),
  })
  .meta({ id: 'PrivacyReview' });
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, 'must be a date (YYYY-MM-DD) or an ISO time in UTC');

/** Operator and staff side of the privacy centre: policies, disclosures, promotions, people, review, analytics. */
export function privacyStaffRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const p = core.privacy;

  r.post(
    '/api/staff/policies',
    {
      schema: {
        tags: ['staff'],
        summary: 'Publish a privacy policy version (admin); a significant one e-mails every person',
        body: z.strictObject({
          version: text(40),
          title: text(200),
          body: longText(100_000),
          changes: longText(5000),
          significant: z.boolean(),
        }),
        response: { 201: PolicySchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await p.policies.publish(requireActor(request), request.body, contextOf(request))),
  );

  r.get(
    '/api/staff/disclosures',
    {
      schema: {
        tags: ['staff'],
        summary: 'The disclosure register (admin, security)',
        response: { 200: z.object({ disclosures: z.array(Disclosure) }), ...errors },
      },
    },
    async (request) => ({ disclosures: await p.disclosures.list(requireActor(request)) }),
  );

  r.post(
    '/api/staff/disclosures',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Record a disclosure: to a partner (with its confidentiality agreement), a legal request, or a planned transfer (admin)',
        body: z.strictObject({
          kind: z.enum(['partner', 'legal', 'transfer']),
          recipient: text(200),
          description: longText(5000),
          agreementRef: text(200).optional(),
          legalBasis: z.enum(['subpoena', 'court_order', 'other']).optional(),
          reference: text(200).optional(),
          dataCategories: z.array(text(100)).min(1).max(50),
          orgIds: z.array(idOf('org')).max(1000).optional(),
          disclosedAt: z.iso.datetime().optional(),
        }),
        response: { 201: Disclosure, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await p.disclosures.record(requireActor(request), request.body, contextOf(request))),
  );

  r.get(
    '/api/staff/disclosures/:disclosureId',
    {
      schema: {
        tags: ['staff'],
        summary: 'One disclosure, with how far a transfer’s notices got',
        params: DisclosureParams,
        response: { 200: DisclosureDetail, ...errors },
      },
    },
    async (request) => p.disclosures.get(requireActor(request), request.params.disclosureId),
  );

  r.post(
    '/api/staff/disclosures/:disclosureId/notices',
    {
      schema: {
        tags: ['staff'],
        summary: 'Send the notice of a planned transfer to every affected person (admin)',
        params: DisclosureParams,
        response: { 202: DisclosureDetail, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await p.disclosures.sendTransferNotices(
            requireActor(request),
            request.params.disclosureId,
            contextOf(request),
          ),
        ),
  );

  r.post(
    '/api/staff/disclosures/:disclosureId/complete',
    {
      schema: {
        tags: ['staff'],
        summary: 'Record a transfer as done (admin); refused until every notice was delivered',
        params: DisclosureParams,
        response: { 200: DisclosureDetail, ...errors },
      },
    },
    async (request) =>
      p.disclosures.completeTransfer(requireActor(request), request.params.disclosureId, contextOf(request)),
  );

  r.post(
    '/api/staff/promotions',
    {
      schema: {
        tags: ['staff'],
        summary: 'Send a promotional mail to everyone who consented to its purpose (marketing, admin)',
        body: z.strictObject({
          purpose: z.enum(['promotions', 'partner_offers']),
          subject: text(200),
          body: longText(20_000),
        }),
        response: { 202: z.object({ id: z.string() }), ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(
        await p.communications.sendPromotion(requireActor(request), request.body, {
          ...contextOf(request),
          userAgent: request.headers['user-agent'],
        }),
      ),
  );

  r.get(
    '/api/staff/orgs/:orgId/people',
    {
      schema: {
        tags: ['staff'],
        summary: 'People of an organisation, personal fields masked by role; the read and its reason are audited',
        params: OrgParams,
        querystring: z.strictObject({ reason: text(500).optional() }),
        response: { 200: z.object({ people: z.array(Person) }), ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      const reason = request.query.reason;
      if (actor.kind === 'staff' && !reason)
        throw invalidInput('Say why you need these people’s data: add ?reason=…', { field: 'reason' });
      return { people: await p.people.membersOf(actor, request.params.orgId, reason ?? '', contextOf(request)) };
    },
  );

  r.post(
    '/api/staff/people/:userId/reveal',
    {
      schema: {
        tags: ['staff'],
        summary: 'Reveal one masked personal field, with a reason (audited)',
        params: z.strictObject({ userId: idOf('usr') }),
        body: z.strictObject({ field: Field, reason: text(500) }),
        response: { 200: z.object({ field: Field, value: z.string().nullable() }), ...errors },
      },
    },
    async (request) =>
      p.people.reveal(
        requireActor(request),
        request.params.userId,
        request.body.field,
        request.body.reason,
        contextOf(request),
      ),
  );

  r.get(
    '/api/staff/privacy-review',
    {
      schema: {
        tags: ['staff'],
        summary: 'Internal review: staff reads of personal data and why, stale roles, unused grants (admin, security)',
        querystring: z.strictObject({
          sinceDays: z.coerce.number().int().min(1).max(3650).default(90),
          staleDays: z.coerce.number().int().min(1).max(3650).default(90),
        }),
        response: { 200: Review, ...errors },
      },
    },
    async (request) => p.review.report(requireActor(request), request.query, contextOf(request)),
  );

  r.get(
    '/api/staff/analytics',
    {
      schema: {
        tags: ['staff'],
        summary: 'Analytics dashboard figures: visits, top pages, referrers, downloads (marketing, admin)',
        querystring: z.strictObject({ from: isoDate.optional(), to: isoDate.optional() }),
        response: { 200: AnalyticsSummary, ...errors },
      },
    },
    async (request) => {
      const now = core.clock.nowMs();
      const at = (value: string | undefined, fallback: number, field: string): string => {
        const ms = value === undefined ? fallback : Date.parse(value);
        if (Number.isNaN(ms)) throw invalidInput(`${field} is not a real date.`, { field });
        return new Date(ms).toISOString();
      };
      const to = at(request.query.to, now + 1000, 'to');
      const from = at(request.query.from, now - 30 * 86_400_000, 'from');
      return p.analytics.summary(requireActor(request), { from, to });
    },
  );
}
