import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { notFound } from '../../kernel/errors.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, Page } from '../schemas.js';
import { InvoiceSchema, PaymentSchema, PlanOfOrg, PlanSchema, ProfileBody, ProfileSchema } from './billing-schemas.js';

const InvoiceParams = OrgParams.extend({ invoiceId: idOf('bill') });

/** Billing for an organisation's members: the plans on offer, their plan, billing contact, invoices and PDFs. */
export function billingRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const b = core.billing;

  r.get(
    '/api/billing/plans',
    {
      schema: {
        tags: ['billing'],
        summary: 'The plans on offer (staff also see withdrawn ones)',
        response: { 200: z.object({ plans: z.array(PlanSchema) }), ...errors },
      },
    },
    async (request) => ({ plans: await b.plans.listPlans(requireActor(request)) }),
  );

  r.get(
    '/api/orgs/:orgId/billing/plan',
    {
      schema: {
        tags: ['billing'],
        summary: 'The organisation’s plan now, and every plan it had with dates',
        params: OrgParams,
        response: { 200: PlanOfOrg, ...errors },
      },
    },
    async (request) => b.plans.planOf(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.put(
    '/api/orgs/:orgId/billing/plan',
    {
      schema: {
        tags: ['billing'],
        summary: 'Move the organisation to another plan now (owners); the month’s invoice prorates both',
        params: OrgParams,
        body: z.strictObject({ planId: idOf('plan') }),
        response: { 200: z.object({ plan: PlanSchema, since: z.string() }), ...errors },
      },
    },
    async (request) =>
      b.plans.selectPlan(requireActor(request), request.params.orgId, request.body.planId, contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/billing/profile',
    {
      schema: {
        tags: ['billing'],
        summary: 'The billing contact and address (null until an owner sets one)',
        params: OrgParams,
        response: { 200: z.object({ profile: ProfileSchema.nullable() }), ...errors },
      },
    },
    async (request) => ({
      profile: await b.profile.get(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.put(
    '/api/orgs/:orgId/billing/profile',
    {
      schema: {
        tags: ['billing'],
        summary: 'Set the billing contact and address (owners); sealed, and the country picks the tax rate',
        params: OrgParams,
        body: ProfileBody,
        response: { 200: z.object({ profile: ProfileSchema }), ...errors },
      },
    },
    async (request) => ({
      profile: await b.profile.set(requireActor(request), request.params.orgId, request.body, contextOf(request)),
    }),
  );

  r.get(
    '/api/orgs/:orgId/invoices',
    {
      schema: {
        tags: ['billing'],
        summary: 'The organisation’s invoices and credit notes, newest first',
        params: OrgParams,
        querystring: Page,
        response: { 200: z.object({ invoices: z.array(InvoiceSchema) }), ...errors },
      },
    },
    async (request) => ({
      invoices: await b.invoices.listForOrg(
        requireActor(request),
        request.params.orgId,
        request.query.limit,
        contextOf(request),
      ),
    }),
  );

  const orgInvoice = async (
    request: { params: z.infer<typeof InvoiceParams> },
    actor: ReturnType<typeof requireActor>,
    ctx: ReturnType<typeof contextOf>,
  ) => {
    const invoice = await b.invoices.get(actor, request.params.invoiceId, ctx);
    if (invoice.orgId !== request.params.orgId) throw notFound('The invoice');
    return invoice;
  };

  r.get(
    '/api/orgs/:orgId/invoices/:invoiceId',
    {
      schema: {
        tags: ['billing'],
        summary: 'One invoice or credit note with its lines, usage and balance',
        params: InvoiceParams,
        response: { 200: InvoiceSchema, ...errors },
      },
    },
    async (request) => orgInvoice(request, requireActor(request), contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/invoices/:invoiceId/payments',
    {
      schema: {
        tags: ['billing'],
        summary: 'Payments recorded against an invoice',
        params: InvoiceParams,
        response: { 200: z.object({ payments: z.array(PaymentSchema) }), ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      await orgInvoice(request, actor, contextOf(request));
      return { payments: await b.payments.list(actor, request.params.invoiceId, contextOf(request)) };
    },
  );

  r.get(
    '/api/orgs/:orgId/invoices/:invoiceId/pdf',
    {
      schema: {
        tags: ['billing'],
        summary: 'The invoice as a PDF (application/pdf)',
        params: InvoiceParams,
        produces: ['application/pdf'],
        response: { 200: z.any().meta({ description: 'The PDF document' }), ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      await orgInvoice(request, actor, contextOf(request));
      const { number, pdf } = await b.invoices.pdf(actor, request.params.invoiceId, contextOf(request));
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${number}.pdf"`)
        .send(pdf);
    },
  );
}
