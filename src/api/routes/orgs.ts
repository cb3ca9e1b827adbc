import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ORG_ROLES } from '../../core/actor.js';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { email, errors, idOf, OrgParams, text } from '../schemas.js';

const Role = z.enum(ORG_ROLES);
const Org = z.object({ id: z.string(), name: z.string(), role: Role, createdAt: z.string() }).meta({ id: 'Org' });
const Member = z.object({
  id: z.string(),
  userId: z.string(),
  role: Role,
  name: z.string(),
  email: z.string(),
  joinedAt: z.string(),
});
const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  expiresAt: z.string(),
  createdAt: z.string(),
});
const MemberParams = OrgParams.extend({ memberId: idOf('mem') });
const InvitationParams = OrgParams.extend({ invitationId: idOf('inv') });

/** Organisations, members and invitations. Every route checks membership first: other organisations are 404. */
export function orgRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/orgs',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Your organisations',
        response: { 200: z.object({ orgs: z.array(Org) }), ...errors },
      },
    },
    async (request) => ({ orgs: await core.orgs.listMyOrgs(requireActor(request)) }),
  );

  r.post(
    '/api/orgs',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Create another organisation (you own it)',
        body: z.strictObject({ name: text(100) }),
        response: { 201: Org, ...errors },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await core.orgs.createOrg(requireActor(request), request.body.name, contextOf(request))),
  );

  r.get(
    '/api/orgs/:orgId',
    { schema: { tags: ['orgs'], summary: 'One organisation', params: OrgParams, response: { 200: Org, ...errors } } },
    async (request) => core.orgs.getOrg(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.patch(
    '/api/orgs/:orgId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Rename an organisation (owners)',
        params: OrgParams,
        body: z.strictObject({ name: text(100) }),
        response: { 200: Org, ...errors },
      },
    },
    async (request) =>
      core.orgs.renameOrg(requireActor(request), request.params.orgId, request.body.name, contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/members',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Members of an organisation',
        params: OrgParams,
        response: { 200: z.object({ members: z.array(Member) }), ...errors },
      },
    },
    async (request) => ({
      members: await core.orgs.listMembers(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.patch(
    '/api/orgs/:orgId/members/:memberId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Change a member’s role (owners)',
        params: MemberParams,
        body: z.strictObject({ role: Role }),
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.orgs.changeRole(
        requireActor(request),
        request.params.orgId,
        request.params.memberId,
        request.body.role,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.delete(
    '/api/orgs/:orgId/members/:memberId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Remove a member (owners; anyone may leave)',
        params: MemberParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.orgs.removeMember(
        requireActor(request),
        request.params.orgId,
        request.params.memberId,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/orgs/:orgId/invitations',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Open invitations (owners)',
        params: OrgParams,
        response: { 200: z.object({ invitations: z.array(Invitation) }), ...errors },
      },
    },
    async (request) => ({
      invitations: await core.orgs.listInvitations(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.post(
    '/api/orgs/:orgId/invitations',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Invite someone by e-mail (owners); the token is shown once',
        params: OrgParams,
        body: z.strictObject({ email, role: Role.default('member') }),
        response: {
          201: z.object({ id: z.string(), token: z.string(), role: Role, expiresAt: z.string() }),
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(await core.orgs.invite(requireActor(request), request.params.orgId, request.body, contextOf(request))),
  );

  r.delete(
    '/api/orgs/:orgId/invitations/:invitationId',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Withdraw an invitation (owners)',
        params: InvitationParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.orgs.revokeInvitation(
        requireActor(request),
        request.params.orgId,
        request.params.invitationId,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.post(
    '/api/invitations/accept',
    {
      schema: {
        tags: ['orgs'],
        summary: 'Accept an invitation sent to your e-mail address',
        body: z.strictObject({ token: z.string().min(20).max(100) }),
        response: { 200: Org, ...errors },
      },
    },
    async (request) => core.orgs.acceptInvitation(requireActor(request), request.body.token, contextOf(request)),
  );
}
