import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { CONSENT_PURPOSES } from '../../core/privacy/index.js';
import { Secret } from '../../kernel/secret.js';
import { clearSessionCookie, contextOf, requireActor } from '../plugins/auth.js';
import { email, errors, idOf, OrgParams, password, text, totpCode } from '../schemas.js';

const Purpose = z.enum(CONSENT_PURPOSES);
const Source = z.enum(['console', 'api', 'banner', 'unsubscribe_link']);
export const ConsentSchema = z
  .object({
    purpose: Purpose,
    granted: z.boolean(),
    at: z.string().nullable(),
    source: Source.nullable(),
    policyVersion: z.string().nullable(),
    statement: z.string(),
  })
  .meta({ id: 'Consent' });
const ConsentRecord = z
  .object({
    id: z.string(),
    purpose: Purpose,
    granted: z.boolean(),
    at: z.string(),
    source: Source,
    policyVersion: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ConsentRecord' });
export const PolicySchema = z
  .object({
    id: z.string(),
    version: z.string(),
    title: z.string(),
    body: z.string(),
    changes: z.string(),
    significant: z.boolean(),
    publishedAt: z.string(),
  })
  .meta({ id: 'PolicyVersion' });
export const DeletionSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    status: z.enum(['releasing', 'erasing', 'done']),
    serversReleased: z.number(),
    serversLeft: z.number(),
    requestedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'OrgDeletion' });
const ExportSchema = z
  .object({ data: z.record(z.string(), z.unknown()), summary: z.string() })
  .meta({ id: 'DataExport' });

/** The privacy centre for the signed-in person: consents, policy notice, export, refer-a-friend, deletion. */
export function privacyRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const p = core.privacy;
  const consentCtx = (request: Parameters<typeof contextOf>[0]) => ({
    ...contextOf(request),
    userAgent: request.headers['user-agent'],
  });

  r.get(
    '/api/me/consents',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Your consents by purpose, and every decision you made',
        response: { 200: z.object({ current: z.array(ConsentSchema), history: z.array(ConsentRecord) }), ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return { current: await p.consent.current(actor.userId), history: await p.consent.history(actor.userId) };
    },
  );

  r.post(
    '/api/me/consents',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Give or withdraw consent for a purpose (the same call either way)',
        body: z.strictObject({ purpose: Purpose, granted: z.boolean() }),
        response: { 200: z.object({ current: z.array(ConsentSchema) }), ...errors },
      },
    },
    async (request) => {
      const actor = requireActor(request);
      return {
        current: await p.consent.decide(
          actor,
          { ...request.body, source: actor.via === 'token' ? 'api' : 'console' },
          consentCtx(request),
        ),
      };
    },
  );

  r.get(
    '/api/me/policy-notice',
    {
      schema: {
        tags: ['privacy'],
        summary: 'A significant privacy policy change you have not acknowledged (the console polls this)',
        response: { 200: z.object({ notice: PolicySchema.nullable() }), ...errors },
      },
    },
    async (request) => ({ notice: await p.policies.notice(requireActor(request)) }),
  );

  r.post(
    '/api/me/policy-notice/acknowledge',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Acknowledge a privacy policy version (clears the notice)',
        body: z.strictObject({ policyId: idOf('pol') }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await p.policies.acknowledge(requireActor(request), request.body.policyId, contextOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/me/export',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'Export all your data: JSON, with a readable summary',
        response: { 200: ExportSchema, ...errors },
      },
    },
    async (request, reply) => {
      const out = await p.exports.exportData(requireActor(request), contextOf(request));
      void reply.header('content-disposition', 'attachment; filename="steward-export.json"');
      return out;
    },
  );

  r.get(
    '/api/me/export/summary',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'Export all your data: the readable summary as plain text',
        response: { 200: z.string(), ...errors },
      },
    },
    async (request, reply) => {
      const out = await p.exports.exportData(requireActor(request), contextOf(request));
      return reply
        .type('text/plain; charset=utf-8')
        .header('content-disposition', 'attachment; filename="steward-export.txt"')
        .send(out.summary);
    },
  );

  r.get(
    '/api/me/referrals',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Friends you asked Steward to invite (addresses are not kept in clear)',
        response: {
          200: z.object({
            referrals: z.array(
              z.object({
                id: z.string(),
                status: z.enum(['queued', 'suppressed', 'duplicate']),
                createdAt: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({ referrals: await p.communications.referralsOf(requireActor(request).userId) }),
  );

  r.post(
    '/api/me/referrals',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Ask Steward to invite a friend by e-mail on your behalf (needs your refer-a-friend consent)',
        body: z.strictObject({ friendEmail: email }),
        response: { 202: z.object({ accepted: z.literal(true) }), ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await p.communications.refer(requireActor(request), request.body, consentCtx(request))),
  );

  r.post(
    '/api/orgs/:orgId/deletion',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Delete an organisation (owners): servers released, data erased, keys destroyed',
        params: OrgParams,
        body: z.strictObject({
          confirm: text(200).describe('The organisation’s exact name, or its id'),
          password: password.optional().describe('Your password: a session or API token alone cannot delete'),
          totpCode: totpCode.optional().describe('Or a fresh one-time code, when you have a second factor'),
        }),
        response: { 202: DeletionSchema, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(202).send(
        await p.deletion.requestOrgDeletion(
          requireActor(request),
          request.params.orgId,
          {
            confirm: request.body.confirm,
            ...(request.body.password === undefined ? {} : { password: new Secret(request.body.password) }),
            ...(request.body.totpCode === undefined ? {} : { totpCode: request.body.totpCode }),
          },
          contextOf(request),
        ),
      ),
  );

  r.get(
    '/api/me/deletions',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'Organisation deletions you asked for, and how far they got',
        response: { 200: z.object({ deletions: z.array(DeletionSchema) }), ...errors },
      },
    },
    async (request) => ({ deletions: await p.deletion.deletionsBy(requireActor(request)) }),
  );

  r.post(
    '/api/me/deletion',
    {
      config: { allowWithoutTerms: true },
      schema: {
        tags: ['privacy'],
        summary: 'Delete your account (with your password); owners delete or hand over their organisations first',
        body: z.strictObject({ password }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await p.deletion.deleteAccount(requireActor(request), new Secret(request.body.password), contextOf(request));
      clearSessionCookie(reply, core.config.cookieSecure);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/privacy/policy',
    {
      schema: {
        tags: ['privacy'],
        summary: 'The current privacy policy (public)',
        response: { 200: z.object({ policy: PolicySchema.nullable() }), ...errors },
      },
    },
    async () => ({ policy: (await p.policies.current()) ?? null }),
  );

  r.get(
    '/api/privacy/policies',
    {
      schema: {
        tags: ['privacy'],
        summary: 'Every published privacy policy version, newest first (public)',
        response: { 200: z.object({ policies: z.array(PolicySchema) }), ...errors },
      },
    },
    async () => ({ policies: await p.policies.list() }),
  );
}
