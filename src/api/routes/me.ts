import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import type { Profile } from '../../core/users/users.service.js';
import { Secret } from '../../kernel/secret.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, password, phone, text, totpCode } from '../schemas.js';

export const ProfileSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['customer', 'staff']),
    email: z.string(),
    name: z.string(),
    phone: z.string().nullable(),
    staffRoles: z.array(z.string()),
    totpEnabled: z.boolean(),
    createdAt: z.string(),
  })
  .meta({ id: 'Profile' });

export const profileView = (p: Profile): z.infer<typeof ProfileSchema> => ({ ...p });

const Token = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

/** The signed-in person's own account: profile, password, second factor, API tokens. */
export function meRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/me',
    {
      config: { allowDuringEnrolment: true },
      schema: { tags: ['me'], summary: 'Your profile', response: { 200: ProfileSchema, ...errors } },
    },
    async (request) => profileView(await core.users.getProfile(requireActor(request).userId)),
  );

  r.patch(
    '/api/me',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your name or phone',
        body: z.strictObject({ name: text(200).optional(), phone: phone.nullable().optional() }),
        response: { 200: ProfileSchema, ...errors },
      },
    },
    async (request) =>
      profileView(await core.users.updateProfile(requireActor(request), request.body, contextOf(request))),
  );

  r.post(
    '/api/me/password',
    {
      schema: {
        tags: ['me'],
        summary: 'Change your password (ends your other sessions)',
        body: z.strictObject({ currentPassword: password, newPassword: password }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.users.changePassword(
        requireActor(request),
        new Secret(request.body.currentPassword),
        new Secret(request.body.newPassword),
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/me/totp/enrol',
    {
      config: { allowDuringEnrolment: true },
      schema: {
        tags: ['me'],
        summary: 'Start turning on the one-time-code second factor',
        response: { 200: z.object({ secret: z.string(), otpauthUri: z.string() }), ...errors },
      },
    },
    async (request) => core.users.beginTotpEnrolment(requireActor(request)),
  );

  r.post(
    '/api/me/totp/confirm',
    {
      config: { allowDuringEnrolment: true },
      schema: {
        tags: ['me'],
        summary: 'Confirm the second factor with a current code',
        body: z.strictObject({ code: totpCode }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.users.confirmTotpEnrolment(requireActor(request), request.body.code, contextOf(request));
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/me/tokens',
    {
      schema: {
        tags: ['me'],
        summary: 'Your API tokens (never their values)',
        response: { 200: z.object({ tokens: z.array(Token) }), ...errors },
      },
    },
    async (request) => ({ tokens: await core.sessions.listApiTokens(requireActor(request)) }),
  );

  r.post(
    '/api/me/tokens',
    {
      schema: {
        tags: ['me'],
        summary: 'Create an API token (its value is shown once)',
        body: z.strictObject({ name: text(100), expiresInDays: z.number().int().min(1).max(3650).optional() }),
        response: { 201: z.object({ id: z.string(), token: z.string(), expiresAt: z.string().nullable() }), ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await core.sessions.createApiToken(requireActor(request), request.body, contextOf(request))),
  );

  r.delete(
    '/api/me/tokens/:tokenId',
    {
      schema: {
        tags: ['me'],
        summary: 'Revoke an API token',
        params: z.strictObject({ tokenId: idOf('tok') }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.sessions.revokeApiToken(requireActor(request), request.params.tokenId, contextOf(request));
      return reply.code(204).send(null);
    },
  );
}
