import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CREDENTIAL_KINDS } from '../../core/credentials/credentials.service.js';
import type { Core } from '../../core/core.js';
import { Secret } from '../../kernel/secret.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';

export const Credential = z
  .object({
    id: z.string(),
    kind: z.enum(CREDENTIAL_KINDS),
    name: z.string(),
    hint: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Credential' });
const CredentialParams = OrgParams.extend({ credentialId: idOf('cred') });
const value = z
  .string()
  .min(1)
  .max(64 * 1024)
  .describe('The secret; write-only: never returned');

/** Credentials an organisation stores: write-only values, shown by a hint. */
export function credentialRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/orgs/:orgId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Stored credentials (hints only)',
        params: OrgParams,
        response: { 200: z.object({ credentials: z.array(Credential) }), ...errors },
      },
    },
    async (request) => ({
      credentials: await core.credentials.listCredentials(
        requireActor(request),
        request.params.orgId,
        contextOf(request),
      ),
    }),
  );

  r.post(
    '/api/orgs/:orgId/credentials',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Seal a credential',
        params: OrgParams,
        body: z.strictObject({ kind: z.enum(CREDENTIAL_KINDS), name: text(100), value }),
        response: { 201: Credential, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      return reply
        .code(201)
        .send(
          await core.credentials.sealCredential(
            requireActor(request),
            request.params.orgId,
            { kind: b.kind, name: b.name, value: new Secret(b.value) },
            contextOf(request),
          ),
        );
    },
  );

  r.get(
    '/api/orgs/:orgId/credentials/:credentialId',
    {
      schema: {
        tags: ['credentials'],
        summary: 'One credential (hint only)',
        params: CredentialParams,
        response: { 200: Credential, ...errors },
      },
    },
    async (request) =>
      core.credentials.getCredential(
        requireActor(request),
        request.params.orgId,
        request.params.credentialId,
        contextOf(request),
      ),
  );

  r.put(
    '/api/orgs/:orgId/credentials/:credentialId/value',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Replace a credential’s secret value',
        params: CredentialParams,
        body: z.strictObject({ value }),
        response: { 200: Credential, ...errors },
      },
    },
    async (request) =>
      core.credentials.replaceCredential(
        requireActor(request),
        request.params.orgId,
        request.params.credentialId,
        new Secret(request.body.value),
        contextOf(request),
      ),
  );

  r.delete(
    '/api/orgs/:orgId/credentials/:credentialId',
    {
      schema: {
        tags: ['credentials'],
        summary: 'Delete a credential',
        params: CredentialParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.credentials.deleteCredential(
        requireActor(request),
        request.params.orgId,
        request.params.credentialId,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );
}
