import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { BILLING_FIELDS, PAYMENT_METHODS, SUPPORT_TIERS } from '../../core/billing/index.js';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, Page, text } from '../schemas.js';
import {
  country,
  decimal,
  NewPlanBody,
  PaymentSchema,
  PlanSchema,
  ProfileSchema,
  StaffInvoiceSchema,
  InvoiceSchema,
  TaxRateSchema,
} from './billing-schemas.js';

const InvoiceParams = z.strictObject({ invoiceId: idOf('bill') });

/** The operator's side of billing: plans, tax rates, invoices, credit notes and payments. */
export function billingStaffRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const b = core.billing;

  r.post(
    '/api/staff/plans',
    {
      schema: {
        tags: ['staff'],
        summary: 'Define a plan (admin); its prices never change afterwards',
        body: NewPlanBody,
        response: { 201: PlanSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await b.plans.createPlan(requireActor(request), request.body, contextOf(request))),
  );

  r.patch(
    '/api/staff/plans/:planId',
    {
      schema: {
        tags: ['staff'],
        summary: 'Rename a plan, change its support tier, or take it off (or back on) offer (admin)',
        params: z.strictObject({ planId: idOf('plan') }),
        body: z
          .strictObject({ name: text(80), supportTier: z.enum(SUPPORT_TIERS), active: z.boolean() })
          .partial()
          .refine((v) => Object.keys(v).length > 0, 'name one of name, supportTier or active'),
        response: { 200: PlanSchema, ...errors },
      },
    },
    async (request) =>
      b.plans.updatePlan(requireActor(request), request.params.planId, request.body, contextOf(request)),
  );

  r.put(
    '/api/staff/orgs/:orgId/plan',
    {
      schema: {
        tags: ['staff'],
        summary: 'Move an organisation to a plan now (admin)',
        params: OrgParams,
        body: z.strictObject({ planId: idOf('plan') }),
        response: { 200: z.object({ plan: PlanSchema, since: z.string() }), ...errors },
      },
    },
    async (request) =>
      b.plans.selectPlan(requireActor(request), request.params.orgId, request.body.planId, contextOf(request)),
  );

  r.get(
    '/api/staff/tax-rates',
    {
      schema: {
        tags: ['staff'],
        summary: 'Tax rates by country (`*` is every other country)',
        response: { 200: z.object({ rates: z.array(TaxRateSchema) }), ...errors },
      },
    },
    async (request) => {
      requireActor(request);
      return { rates: await b.plans.taxRates() };
    },
  );

  r.put(
    '/api/staff/tax-rates/:country',
    {
      schema: {
        tags: ['staff'],
        summary: 'Set the tax rate of a country, or `*` for every other country (admin)',
        params: z.strictObject({ country: z.union([country, z.literal('*')]) }),
        body: z.strictObject({ ratePercent: decimal('ratePercent'), label: text(40) }),
        response: { 200: TaxRateSchema, ...errors },
      },
    },
    async (request) =>
      b.plans.setTaxRate(
        requireActor(request),
        { country: request.params.country, ...request.body },
        contextOf(request),
      ),
  );

  r.delete(
    '/api/staff/tax-rates/:country',
    {
      schema: {
        tags: ['staff'],
        summary: 'Remove a country’s tax rate (admin)',
        params: z.strictObject({ country: z.union([country, z.literal('*')]) }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await b.plans.removeTaxRate(requireActor(request), request.params.country, contextOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/staff/invoices',
    {
      schema: {
        tags: ['staff'],
        summary: 'Invoices and credit notes of every organisation (admin, support)',
        querystring: Page.extend({ status: z.enum(['open', 'paid', 'credited', 'void']).optional() }),
        response: { 200: z.object({ invoices: z.array(StaffInvoiceSchema) }), ...errors },
      },
    },
    async (request) => ({
      invoices: await b.invoices.listAll(requireActor(request), {
        limit: request.query.limit,
        ...(request.query.status ? { status: request.query.status } : {}),
      }),
    }),
  );

  r.get(
    '/api/staff/invoices/:invoiceId',
    {
      schema: {
        tags: ['staff'],
        summary: 'One invoice (admin, support)',
        params: InvoiceParams,
        response: { 200: InvoiceSchema, ...errors },
      },
    },
    async (request) => b.invoices.get(requireActor(request), request.params.invoiceId, contextOf(request)),
  );

  r.get(
    '/api/staff/invoices/:invoiceId/pdf',
    {
      schema: {
        tags: ['staff'],
        summary: 'One invoice as a PDF (admin, support)',
        params: InvoiceParams,
        produces: ['application/pdf'],
        response: { 200: z.any().meta({ description: 'The PDF document' }), ...errors },
      },
    },
    async (request, reply) => {
      const { number, pdf } = await b.invoices.pdf(requireActor(request), request.params.invoiceId, contextOf(request));
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${number}.pdf"`)
        .send(pdf);
    },
  );

  r.post(
    '/api/staff/orgs/:orgId/invoices',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Issue an organisation’s invoice for a finished month now (admin); the same month twice gives the same invoice',
        params: OrgParams,
        body: z.strictObject({ period: z.string().regex(/^\d{4}-\d{2}$/, 'must be a month, YYYY-MM') }),
        response: { 200: InvoiceSchema, ...errors },
      },
    },
    async (request) =>
      b.invoices.issue(requireActor(request), request.params.orgId, request.body.period, contextOf(request)),
  );

  r.post(
    '/api/staff/invoices/:invoiceId/credit-notes',
    {
      schema: {
        tags: ['staff'],
        summary: 'Issue a credit note against an invoice: all of it, or a net amount at its tax rate (admin)',
        params: InvoiceParams,
        body: z.strictObject({ amount: decimal('amount').optional(), reason: text(300) }),
        response: { 201: InvoiceSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await b.invoices.creditNote(
            requireActor(request),
            request.params.invoiceId,
            request.body,
            contextOf(request),
          ),
        ),
  );

  r.get(
    '/api/staff/invoices/:invoiceId/payments',
    {
      schema: {
        tags: ['staff'],
        summary: 'Payments recorded against an invoice (admin)',
        params: InvoiceParams,
        response: { 200: z.object({ payments: z.array(PaymentSchema) }), ...errors },
      },
    },
    async (request) => ({
      payments: await b.payments.list(requireActor(request), request.params.invoiceId, contextOf(request)),
    }),
  );

  r.post(
    '/api/staff/invoices/:invoiceId/payments',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Record a payment against an invoice (admin): a bank transfer or manual payment that arrived, or with `failed` one that bounced',
        params: InvoiceParams,
        body: z.strictObject({
          amount: decimal('amount'),
          method: z.enum(PAYMENT_METHODS),
          reference: text(120).nullable().default(null),
          failed: text(300).optional(),
        }),
        response: { 201: PaymentSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await b.payments.record(requireActor(request), request.params.invoiceId, request.body, contextOf(request)),
        ),
  );

  r.get(
    '/api/staff/orgs/:orgId/billing-profile',
    {
      schema: {
        tags: ['staff'],
        summary: 'An organisation’s billing contact: in clear for admin, masked for support and security (audited)',
        params: OrgParams,
        response: { 200: z.object({ profile: ProfileSchema.nullable() }), ...errors },
      },
    },
    async (request) => ({
      profile: await b.profile.get(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.post(
    '/api/staff/orgs/:orgId/billing-profile/reveal',
    {
      schema: {
        tags: ['staff'],
        summary: 'Reveal one masked billing field, giving a reason (audited without the value)',
        params: OrgParams,
        body: z.strictObject({ field: z.enum(BILLING_FIELDS), reason: text(300) }),
        response: { 200: z.object({ field: z.enum(BILLING_FIELDS), value: z.string().nullable() }), ...errors },
      },
    },
    async (request) =>
      b.profile.reveal(
        requireActor(request),
        request.params.orgId,
        request.body.field,
        request.body.reason,
        contextOf(request),
      ),
  );
}
