import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, prose, text } from '../schemas.js';
import { Grant, GrantAction, looseText, SupportRequest, TerminalSession, TimelineEntry } from './access-schemas.js';
import { TIMELINE_KINDS } from '../../core/access/index.js';

const GrantIdParams = OrgParams.extend({ grantId: idOf('grant') });
const SupportIdParams = OrgParams.extend({ supportId: idOf('sup') });
const SessionParams = OrgParams.extend({ sessionId: idOf('term') });
const serverIds = z.array(idOf('srv')).max(200);

/**
 * The customer's side of staff access: ask for help (support requests, grants), see every grant and what staff
 * did under it (timeline, terminal recordings), narrow or revoke, approve or refuse where policy asks them to.
 */
export function accessRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const access = core.access;

  r.get(
    '/api/orgs/:orgId/grants',
    {
      schema: {
        tags: ['access'],
        summary: 'Staff access grants of the organisation, newest first',
        params: OrgParams,
        querystring: z.strictObject({
          state: z.enum(['requested', 'approved', 'active', 'expired', 'revoked', 'denied']).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ grants: z.array(Grant) }), ...errors },
      },
    },
    async (request) => ({
      grants: await access.grants.listForOrg(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.post(
    '/api/orgs/:orgId/grants',
    {
      schema: {
        tags: ['access'],
        summary:
          'Ask for staff access (initial setup, or more access for an open support request); a staff member takes it',
        params: OrgParams,
        body: z.strictObject({
          reason: looseText(40),
          justification: looseText(2000),
          supportRequestId: z.string().max(40).optional(),
          serverIds,
          accountIds: z.array(idOf('acct')).max(50).optional(),
          actions: z.array(GrantAction).max(6).optional(),
          durationMinutes: z
            .number()
            .int()
            .min(5)
            .max(24 * 60),
        }),
        response: { 201: Grant, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await access.grants.requestGrant(
            requireActor(request),
            request.params.orgId,
            request.body,
            contextOf(request),
          ),
        ),
  );

  r.get(
    '/api/orgs/:orgId/grants/:grantId',
    { schema: { tags: ['access'], summary: 'One grant', params: GrantIdParams, response: { 200: Grant, ...errors } } },
    async (request) =>
      access.grants.getForOrg(requireActor(request), request.params.orgId, request.params.grantId, contextOf(request)),
  );

  r.patch(
    '/api/orgs/:orgId/grants/:grantId',
    {
      schema: {
        tags: ['access'],
        summary: 'Narrow a grant: fewer servers, accounts or actions, or an earlier end (never wider)',
        params: GrantIdParams,
        body: z.strictObject({
          serverIds: serverIds.optional(),
          accountIds: z.array(idOf('acct')).max(50).optional(),
          actions: z.array(GrantAction).max(6).optional(),
          endsAt: z.string().max(40).optional(),
        }),
        response: { 200: Grant, ...errors },
      },
    },
    async (request) =>
      access.grants.narrowGrant(
        requireActor(request),
        request.params.orgId,
        request.params.grantId,
        request.body,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/grants/:grantId/revoke',
    {
      schema: {
        tags: ['access'],
        summary: 'Revoke a grant now; live terminal sessions under it end within seconds',
        params: GrantIdParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) =>
      access.grants.revokeGrant({
        actor: requireActor(request),
        grantId: request.params.grantId,
        ctx: contextOf(request),
        orgId: request.params.orgId,
      }),
  );

  r.post(
    '/api/orgs/:orgId/grants/:grantId/approve',
    {
      schema: {
        tags: ['access'],
        summary: 'Approve a suspicious-activity grant (when the organisation’s policy says owners approve)',
        params: GrantIdParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) =>
      access.grants.approveGrant(
        requireActor(request),
        request.params.grantId,
        contextOf(request),
        request.params.orgId,
      ),
  );

  r.post(
    '/api/orgs/:orgId/grants/:grantId/deny',
    {
      schema: {
        tags: ['access'],
        summary: 'Refuse a grant that is not active yet',
        params: GrantIdParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) =>
      access.grants.denyGrant(requireActor(request), request.params.grantId, contextOf(request), request.params.orgId),
  );

  const Policy = z.object({ suspiciousApproval: z.enum(['second_staff', 'customer']) });
  r.get(
    '/api/orgs/:orgId/access-policy',
    {
      schema: {
        tags: ['access'],
        summary:
          'Who approves suspicious-activity access: a second staff member (default) or the organisation’s owners',
        params: OrgParams,
        response: { 200: Policy, ...errors },
      },
    },
    async (request) => access.grants.getPolicy(requireActor(request), request.params.orgId, contextOf(request)),
  );
  r.put(
    '/api/orgs/:orgId/access-policy',
    {
      schema: {
        tags: ['access'],
        summary: 'Set the staff-access policy (owners)',
        params: OrgParams,
        body: z.strictObject({ suspiciousApproval: z.enum(['second_staff', 'customer']) }),
        response: { 200: Policy, ...errors },
      },
    },
    async (request) =>
      access.grants.setPolicy(
        requireActor(request),
        request.params.orgId,
        request.body.suspiciousApproval,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/staff-ca',
    {
      schema: {
        tags: ['access'],
        summary:
          'The organisation’s staff SSH certificate authority (public key for TrustedUserCAKeys; pass it to initial setup as staffCaKey)',
        params: OrgParams,
        response: { 200: z.object({ publicKey: z.string(), fingerprint: z.string() }), ...errors },
      },
    },
    async (request) => access.staffCaFor(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/timeline',
    {
      schema: {
        tags: ['access'],
        summary:
          'Everything staff did on the organisation’s resources, newest first: grants, commands, sessions, secrets revealed, provider calls',
        params: OrgParams,
        querystring: z.strictObject({
          grantId: idOf('grant').optional(),
          staffId: idOf('usr').optional(),
          serverId: idOf('srv').optional(),
          kind: z.enum(TIMELINE_KINDS).optional(),
          since: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ entries: z.array(TimelineEntry) }), ...errors },
      },
    },
    async (request) => ({
      entries: await access.timeline.timeline(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/support-requests',
    {
      schema: {
        tags: ['support'],
        summary: 'Support and initial-setup requests',
        params: OrgParams,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
        response: { 200: z.object({ requests: z.array(SupportRequest) }), ...errors },
      },
    },
    async (request) => ({
      requests: await access.support.listForOrg(
        requireActor(request),
        request.params.orgId,
        request.query.limit,
        contextOf(request),
      ),
    }),
  );

  r.post(
    '/api/orgs/:orgId/support-requests',
    {
      schema: {
        tags: ['support'],
        summary:
          'Ask for support (or initial setup) on servers for a time; this creates the grant the staff member who takes it works under',
        params: OrgParams,
        body: z.strictObject({
          kind: z.enum(['support', 'initial_setup']).default('support'),
          subject: text(200),
          message: prose(10_000),
          serverIds,
          durationMinutes: z
            .number()
            .int()
            .min(5)
            .max(24 * 60),
          actions: z.array(GrantAction).max(6).optional(),
        }),
        response: { 201: SupportRequest, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await access.support.openSupportRequest(
            requireActor(request),
            request.params.orgId,
            request.body,
            contextOf(request),
          ),
        ),
  );

  r.get(
    '/api/orgs/:orgId/support-requests/:supportId',
    {
      schema: {
        tags: ['support'],
        summary: 'One request with its messages',
        params: SupportIdParams,
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) =>
      access.support.getForOrg(
        requireActor(request),
        request.params.orgId,
        request.params.supportId,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/support-requests/:supportId/messages',
    {
      schema: {
        tags: ['support'],
        summary: 'Reply on a request',
        params: SupportIdParams,
        body: z.strictObject({ body: prose(10_000) }),
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) =>
      access.support.replyAsCustomer(
        requireActor(request),
        request.params.orgId,
        request.params.supportId,
        request.body.body,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/support-requests/:supportId/close',
    {
      schema: {
        tags: ['support'],
        summary: 'Close a request; its grant ends with it',
        params: SupportIdParams,
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) =>
      access.support.closeAsCustomer(
        requireActor(request),
        request.params.orgId,
        request.params.supportId,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/terminal-sessions',
    {
      schema: {
        tags: ['terminal'],
        summary: 'Recorded terminal sessions (staff and members), newest first',
        params: OrgParams,
        querystring: z.strictObject({
          serverId: idOf('srv').optional(),
          grantId: idOf('grant').optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ sessions: z.array(TerminalSession) }), ...errors },
      },
    },
    async (request) => ({
      sessions: await access.recordings.listSessions(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/terminal-sessions/:sessionId/recording',
    {
      schema: {
        tags: ['terminal'],
        summary: 'A session’s recording as asciicast v2 (`cast`: header line, then one event per line)',
        params: SessionParams,
        response: { 200: z.object({ session: TerminalSession, cast: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      return access.recordings.recording(
        requireActor(request),
        request.params.orgId,
        request.params.sessionId,
        contextOf(request),
      );
    },
  );
}
