import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, text, totpCode } from '../schemas.js';

// eslint-disable-next-line no-control-regex -- the point is to refuse control characters (newlines and tabs stay)
const NO_CONTROL_BODY = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const longText = (max: number) =>
  z.string().trim().min(1).max(max).regex(NO_CONTROL_BODY, 'must not contain control characters');

const Terms = z
  .object({
    id: z.string(),
    version: z.string(),
    title: z.string(),
    body: z.string(),
    changes: z.string(),
    material: z.boolean(),
    publishedAt: z.string(),
  })
  .meta({ id: 'TermsVersion' });
const Undertaking = z
  .object({ id: z.string(), version: z.string(), title: z.string(), body: z.string(), publishedAt: z.string() })
  .meta({ id: 'Undertaking' });
const UndertakingStatus = z
  .object({ current: Undertaking.nullable(), acceptedAt: z.string().nullable(), pending: z.boolean() })
  .meta({ id: 'UndertakingStatus' });

/** Terms of service (every person) and the staff confidentiality undertaking (staff). */
export function termsRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const p = core.privacy;

  r.get(
    '/api/terms',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'The terms of service in force (no sign-in needed)',
        response: { 200: z.object({ terms: Terms.nullable() }), ...errors },
      },
    },
    async () => ({ terms: await p.terms.current() }),
  );

  r.get(
    '/api/me/terms',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'The terms in force, whether you must accept them, and every version you accepted',
        response: {
          200: z.object({
            current: Terms.nullable(),
            pending: Terms.nullable(),
            acceptances: z.array(
              z.object({
                version: z.string(),
                title: z.string(),
                at: z.string(),
                source: z.string(),
                evidence: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return {
        current: await p.terms.current(),
        pending: await p.terms.pendingFor(actor.userId),
        acceptances: await p.terms.acceptancesOf(actor.userId),
      };
    },
  );

  r.post(
    '/api/me/terms',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'Accept the terms of service in force',
        body: z.strictObject({ termsId: idOf('tos') }),
        response: { 200: z.object({ pending: Terms.nullable() }), ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return p.terms.accept(actor, request.body.termsId, actor.via === 'token' ? 'api' : 'console', contextOf(request));
    },
  );

  r.post(
    '/api/staff/terms',
    {
      schema: {
        tags: ['staff'],
        summary: 'Publish a terms of service version (admin); a material change asks everyone to accept and mails them',
        body: z.strictObject({
          version: text(40),
          title: text(200),
          body: longText(200_000),
          changes: longText(5000),
          material: z.boolean(),
        }),
        response: { 201: Terms, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await p.terms.publish(requireActor(request), request.body, contextOf(request))),
  );

  r.get(
    '/api/staff/undertaking',
    {
      config: { allowWithoutUndertaking: true },
      schema: {
        tags: ['staff'],
        summary: 'The current confidentiality undertaking and whether you accepted it',
        response: { 200: UndertakingStatus, ...errors },
      },
    },
    async (request) => p.undertakings.statusOf(requireActor(request)),
  );

  r.post(
    '/api/staff/undertaking',
    {
      config: { allowWithoutUndertaking: true },
      schema: {
        tags: ['staff'],
        summary: 'Accept the current confidentiality undertaking, confirming with a fresh one-time code',
        body: z.strictObject({ undertakingId: idOf('und'), code: totpCode }),
        response: { 200: UndertakingStatus, ...errors },
      },
    },
    async (request) =>
      p.undertakings.accept(requireActor(request), request.body.undertakingId, request.body.code, contextOf(request)),
  );

  r.post(
    '/api/staff/undertakings',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Publish a confidentiality undertaking version (admin, with a fresh one-time code); every other staff member loses their roles until they accept it',
        body: z.strictObject({ version: text(40), title: text(200), body: longText(100_000), code: totpCode }),
        response: { 201: Undertaking, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await p.undertakings.publish(requireActor(request), request.body, contextOf(request))),
  );
}
