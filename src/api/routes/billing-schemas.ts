import { z } from 'zod';
import { BILLING_FIELDS, PAYMENT_METHODS, SUPPORT_TIERS } from '../../core/billing/index.js';
import { email, text } from '../schemas.js';

/** Request and response shapes of the billing routes, shared by the customer and staff sides. */

export const decimal = (field: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{1,12}(\.\d{1,6})?$/, `${field} must be a decimal number such as 29.00 (at most 6 decimal places)`);
export const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be a two-letter ISO 3166 country code in capitals, such as DE or GB');

export const PlanSchema = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    currency: z.string(),
    monthlyPrice: z.string(),
    includedServers: z.number(),
    serverHourPrice: z.string(),
    backupGibMonthPrice: z.string(),
    monitoredServerHourPrice: z.string(),
    supportTier: z.enum(SUPPORT_TIERS),
    active: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Plan' });

export const NewPlanBody = z.strictObject({
  code: z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes (at most 40)'),
  name: text(80),
  monthlyPrice: decimal('monthlyPrice'),
  includedServers: z.number().int().min(0).max(100_000),
  serverHourPrice: decimal('serverHourPrice'),
  backupGibMonthPrice: decimal('backupGibMonthPrice'),
  monitoredServerHourPrice: decimal('monitoredServerHourPrice').optional(),
  supportTier: z.enum(SUPPORT_TIERS),
});

export const PlanOfOrg = z
  .object({
    current: PlanSchema.nullable(),
    history: z.array(z.object({ plan: PlanSchema, startsAt: z.string(), endsAt: z.string().nullable() })),
  })
  .meta({ id: 'OrgPlan' });

export const ProfileBody = z.strictObject({
  name: text(200),
  email,
  addressLines: z.array(text(200)).min(1).max(6),
  country,
  taxId: text(40).nullable().default(null),
});

export const ProfileSchema = z
  .object({
    name: z.string(),
    email: z.string(),
    addressLines: z.array(z.string()),
    country: z.string(),
    taxId: z.string().nullable(),
    updatedAt: z.string(),
    masked: z.array(z.enum(BILLING_FIELDS)),
  })
  .meta({ id: 'BillingProfile' });

export const InvoiceSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    number: z.string(),
    kind: z.enum(['invoice', 'credit_note']),
    creditsInvoiceId: z.string().nullable(),
    period: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    currency: z.string(),
    lines: z.array(
      z.object({
        kind: z.enum(['plan', 'extra_servers', 'monitoring', 'backup_storage', 'credit']),
        description: z.string(),
        quantity: z.string(),
        unitPrice: z.string(),
        amount: z.string(),
      }),
    ),
    usage: z
      .object({
        serverHours: z.number(),
        instanceHours: z.number(),
        monitoredServerHours: z.number(),
        backupGibMonths: z.string(),
        meteredHours: z.number(),
      })
      .nullable(),
    subtotal: z.string(),
    taxLabel: z.string(),
    taxPercent: z.string(),
    taxCountry: z.string(),
    tax: z.string(),
    total: z.string(),
    balance: z.string(),
    status: z.enum(['open', 'paid', 'credited', 'void']),
    note: z.string().nullable(),
    issuedAt: z.string(),
    dueAt: z.string(),
    paidAt: z.string().nullable(),
  })
  .meta({ id: 'Invoice' });

export const StaffInvoiceSchema = InvoiceSchema.extend({ orgName: z.string() }).meta({ id: 'StaffInvoice' });

export const PaymentSchema = z
  .object({
    id: z.string(),
    invoiceId: z.string(),
    amount: z.string(),
    method: z.enum(PAYMENT_METHODS),
    provider: z.string(),
    reference: z.string().nullable(),
    status: z.enum(['succeeded', 'failed']),
    failure: z.string().nullable(),
    recordedAt: z.string(),
  })
  .meta({ id: 'Payment' });

export const TaxRateSchema = z
  .object({ country: z.string(), ratePercent: z.string(), label: z.string(), updatedAt: z.string().optional() })
  .meta({ id: 'TaxRate' });
