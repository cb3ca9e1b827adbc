import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { Secret } from '../../kernel/secret.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';

const Server = z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    port: z.number(),
    username: z.string(),
    status: z.enum(['enrolling', 'ready', 'blocked', 'unreachable', 'enrol_failed', 'removing', 'remove_failed']),
    statusReason: z.string().nullable(),
    hostKey: z
      .object({ fingerprint: z.string(), source: z.string().nullable(), pinnedAt: z.string().nullable() })
      .nullable(),
    presentedFingerprint: z.string().nullable(),
    login: z.enum(['org_key', 'bootstrap']),
    provider: z.object({ accountId: z.string(), nodeId: z.string().nullable() }).nullable(),
    createdAt: z.string(),
    lastContactAt: z.string().nullable(),
  })
  .meta({ id: 'Server' });
const ServerParams = OrgParams.extend({ serverId: idOf('srv') });
const NewServer = z.strictObject({
  name: text(100),
  address: z.string().min(1).max(253).describe('Host name or IP address'),
  port: z.number().int().min(1).max(65535).default(22),
  username: z.string().min(1).max(32).default('root'),
  password: z.string().min(1).max(1024).optional().describe('For the first login only; write-only'),
  privateKey: z
    .string()
    .min(1)
    .max(16 * 1024)
    .optional()
    .describe('For the first login only (OpenSSH or PEM); write-only'),
  hostKeyFingerprint: z
    .string()
    .max(60)
    .optional()
    .describe('SHA256:… of the server’s host key, checked at first contact'),
  hostKey: z
    .string()
    .max(16 * 1024)
    .optional()
    .describe('The host key as an OpenSSH public-key line'),
  trustFirstContact: z
    .boolean()
    .optional()
    .describe('Accept the host key presented at first contact (shown as unverified)'),
});
const Use = z
  .object({
    id: z.string(),
    at: z.string(),
    credential: z.string(),
    credentialId: z.string().nullable(),
    target: z.object({ type: z.string(), id: z.string() }),
    operation: z.string(),
    instruction: z.object({ type: z.string(), id: z.string().nullable(), actorId: z.string().nullable() }),
    outcome: z.string(),
  })
  .meta({ id: 'CredentialUse' });
const Alert = z
  .object({
    id: z.string(),
    serverId: z.string().nullable(),
    kind: z.string(),
    severity: z.string(),
    title: z.string(),
    details: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
    resolvedAt: z.string().nullable(),
  })
  .meta({ id: 'Alert' });

/** The servers inventory, the credential-use ledger and alerts. */
export function serverRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/orgs/:orgId/servers',
    {
      schema: {
        tags: ['servers'],
        summary: 'Servers of the organisation',
        params: OrgParams,
        response: { 200: z.object({ servers: z.array(Server) }), ...errors },
      },
    },
    async (request) => ({
      servers: await core.servers.listServers(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.post(
    '/api/orgs/:orgId/servers',
    {
      schema: {
        tags: ['servers'],
        summary: 'Add a server by address; Steward installs its own key with the credential given, then forgets it',
        params: OrgParams,
        body: NewServer,
        response: { 202: Server, ...errors },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const view = await core.servers.addServer(
        requireActor(request),
        request.params.orgId,
        {
          name: b.name,
          address: b.address,
          port: b.port,
          username: b.username,
          password: b.password === undefined ? undefined : new Secret(b.password),
          privateKey: b.privateKey === undefined ? undefined : new Secret(b.privateKey),
          hostKeyFingerprint: b.hostKeyFingerprint,
          hostKey: b.hostKey,
          trustFirstContact: b.trustFirstContact,
        },
        contextOf(request),
      );
      return reply.code(202).send(view);
    },
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId',
    {
      schema: { tags: ['servers'], summary: 'One server', params: ServerParams, response: { 200: Server, ...errors } },
    },
    async (request) =>
      core.servers.getServer(requireActor(request), request.params.orgId, request.params.serverId, contextOf(request)),
  );

  r.delete(
    '/api/orgs/:orgId/servers/:serverId',
    {
      schema: {
        tags: ['servers'],
        summary: 'Remove a server (Steward takes its key off it first; force forgets it without that)',
        params: ServerParams,
        querystring: z.strictObject({ force: z.enum(['true', 'false']).default('false') }),
        response: { 202: Server, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await core.servers.removeServer(
            requireActor(request),
            request.params.orgId,
            request.params.serverId,
            { force: request.query.force === 'true' },
            contextOf(request),
          ),
        ),
  );

  r.post(
    '/api/orgs/:orgId/servers/:serverId/host-key',
    {
      schema: {
        tags: ['servers'],
        summary: 'Confirm the new host key of a blocked server (owners), after checking it on the server itself',
        params: ServerParams,
        body: z.strictObject({ fingerprint: z.string().max(60) }),
        response: { 200: Server, ...errors },
      },
    },
    async (request) =>
      core.servers.trustPresentedKey(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        request.body.fingerprint,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/credential-uses',
    {
      schema: {
        tags: ['servers'],
        summary: 'The credential-use ledger: every login and provider call made with your credentials, and why',
        params: OrgParams,
        querystring: z.strictObject({
          targetId: z.string().max(40).optional(),
          before: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ uses: z.array(Use) }), ...errors },
      },
    },
    async (request) => ({
      uses: await core.ledger.list(requireActor(request), request.params.orgId, request.query, contextOf(request)),
    }),
  );

  r.get(
    '/api/orgs/:orgId/alerts',
    {
      schema: {
        tags: ['servers'],
        summary: 'Alerts raised for the organisation',
        params: OrgParams,
        querystring: z.strictObject({
          open: z.enum(['true', 'false']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ alerts: z.array(Alert) }), ...errors },
      },
    },
    async (request) => ({
      alerts: await core.alerts.list(
        requireActor(request),
        request.params.orgId,
        { open: request.query.open === 'true', limit: request.query.limit },
        contextOf(request),
      ),
    }),
  );
}
