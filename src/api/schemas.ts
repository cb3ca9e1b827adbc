import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../kernel/errors.js';

/** Shared request and response pieces, so every route says the same thing the same way. */

const NO_CONTROL = /^[^\u0000-\u001f\u007f\u2028\u2029]*$/;
/**
 * Characters that change how text around them is shown without showing themselves: direction overrides and
 * isolates (a name that reads "invoice.pdf" but is "fdp.eciovni"), zero-width spaces and joiners, the word joiner
 * and the byte-order mark. In a name they only ever serve to make two things look alike.
 */
const INVISIBLE = /[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL, 'must not contain control characters')
    .refine((value) => !INVISIBLE.test(value), {
      message: 'must not contain invisible characters (zero-width spaces or joiners) or text-direction overrides',
    });
/** Text people write in paragraphs (a support message): like `text`, but line breaks and tabs are kept. */
const NO_CONTROL_BUT_LINES = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u2028\u2029]*$/;
export const prose = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_BUT_LINES, 'must not contain control characters other than line breaks and tabs');
export const email = z.email({ message: 'must be an e-mail address' }).max(254);
export const password = z.string().min(1).max(1024);
export const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9][0-9 ()-]{3,29}$/, 'must be a phone number such as +44 20 7946 0000');
export const totpCode = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');
export const idOf = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-hjkmnp-tv-z]{26}$`), `must be a ${prefix}_… id`);

export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
      message: z.string(),
      requestId: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** Error responses every route can give; spread into each route's `response`. */
export const errors = { '4xx': ErrorBodySchema, '5xx': ErrorBodySchema } as const;

/** A list's page size (`?limit=`), 1 to 500, 100 by default. */
export const Page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const OrgParams = z.strictObject({ orgId: idOf('org') });
