import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Actor } from '../../core/actor.js';
import type { Core } from '../../core/core.js';
import { notFound } from '../../kernel/errors.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, prose } from '../schemas.js';
import { Credential } from './credentials.js';
import { Instance } from './provisioning.js';
import {
  Grant,
  GrantAction,
  GrantParams,
  looseText,
  SupportParams,
  SupportRequest,
  totpCode,
} from './access-schemas.js';

const ServerParams = GrantParams.extend({ serverId: idOf('srv') });
const Run = z.record(z.string(), z.unknown()).describe('A task run (see TaskRun)');
const WORKING = ['support', 'security', 'admin'];

/**
 * Staff work under grants. Everything here names the grant it works under; the access module checks it
 * (`requireActiveGrant`) before anything happens. To anyone who is not working staff these routes do not
 * exist (404, audited without touching any organisation's log), like ids of organisations one is not in.
 */
export function staffAccessRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const access = core.access;

  async function staff(request: FastifyRequest): Promise<Actor> {
    const actor = requireActor(request);
    if (actor.kind === 'staff' && actor.staffRoles.some((role) => WORKING.includes(role))) return actor;
    await core.audit.recordAlone(
      {
        action: 'access.denied',
        actor: { type: actor.kind === 'staff' ? 'staff' : 'user', id: actor.userId },
        result: 'denied',
        details: { reason: 'not_staff', route: request.routeOptions.url ?? null },
      },
      contextOf(request),
    );
    throw notFound('The grant');
  }

  r.get(
    '/api/staff/grants',
    {
      schema: {
        tags: ['staff'],
        summary: 'Your grants, or (queue=true) requests waiting for a staff member or a second approver',
        querystring: z.strictObject({
          queue: z.enum(['true', 'false']).default('false'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ grants: z.array(Grant) }), ...errors },
      },
    },
    async (request) => ({
      grants: await access.grants.listForStaff(
        await staff(request),
        { queue: request.query.queue === 'true', limit: request.query.limit },
        contextOf(request),
      ),
    }),
  );

  r.post(
    '/api/staff/grants',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Open a suspicious-activity grant for an incident (security staff); the customer is told at once and a second staff member approves',
        body: z.strictObject({
          orgId: idOf('org'),
          incidentId: looseText(64),
          justification: looseText(2000),
          serverIds: z.array(idOf('srv')).max(200),
          accountIds: z.array(idOf('acct')).max(50).optional(),
          actions: z.array(GrantAction).max(6).optional(),
          durationMinutes: z
            .number()
            .int()
            .min(5)
            .max(24 * 60)
            .optional(),
        }),
        response: { 201: Grant, ...errors },
      },
    },
    async (request, reply) => {
      const actor = await staff(request);
      if (!actor.staffRoles.includes('security') && !actor.staffRoles.includes('admin'))
        throw notFound('The organisation');
      const { orgId, incidentId, justification, serverIds, accountIds, actions, durationMinutes } = request.body;
      return reply.code(201).send(
        await access.openSuspiciousActivityGrant(
          {
            orgId,
            incidentId,
            justification,
            serverIds,
            staffId: actor.userId,
            openedBy: { type: 'staff', id: actor.userId },
            ...(accountIds ? { accountIds } : {}),
            ...(actions ? { actions } : {}),
            ...(durationMinutes ? { durationMinutes } : {}),
          },
          contextOf(request),
        ),
      );
    },
  );

  r.get(
    '/api/staff/grants/:grantId',
    { schema: { tags: ['staff'], summary: 'One grant', params: GrantParams, response: { 200: Grant, ...errors } } },
    async (request) => access.grants.getForStaff(await staff(request), request.params.grantId, contextOf(request)),
  );

  r.post(
    '/api/staff/grants/:grantId/take',
    {
      schema: {
        tags: ['staff'],
        summary: 'Take a request: the grant binds to you (and, for customer requests, starts its window)',
        params: GrantParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) => access.grants.takeGrant(await staff(request), request.params.grantId, contextOf(request)),
  );

  r.post(
    '/api/staff/grants/:grantId/approve',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Approve, as the second staff member (security or admin), a suspicious-activity grant that is not for you',
        params: GrantParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) => access.grants.approveGrant(await staff(request), request.params.grantId, contextOf(request)),
  );

  r.post(
    '/api/staff/grants/:grantId/deny',
    {
      schema: {
        tags: ['staff'],
        summary: 'Refuse, as the second staff member, a suspicious-activity grant',
        params: GrantParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) => access.grants.denyGrant(await staff(request), request.params.grantId, contextOf(request)),
  );

  r.post(
    '/api/staff/grants/:grantId/release',
    {
      schema: {
        tags: ['staff'],
        summary: 'End your grant early (work done)',
        params: GrantParams,
        response: { 200: Grant, ...errors },
      },
    },
    async (request) =>
      access.grants.revokeGrant({
        actor: await staff(request),
        grantId: request.params.grantId,
        ctx: contextOf(request),
        reason: 'released',
      }),
  );

  r.get(
    '/api/staff/grants/:grantId/servers',
    {
      schema: {
        tags: ['staff'],
        summary: 'The servers your active grant covers',
        params: GrantParams,
        response: {
          200: z.object({ servers: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })) }),
          ...errors,
        },
      },
    },
    async (request) => ({
      servers: await access.staff.serversOf(await staff(request), request.params.grantId, contextOf(request)),
    }),
  );

  r.post(
    '/api/staff/grants/:grantId/commands',
    {
      schema: {
        tags: ['staff'],
        summary: 'Run a command on servers under the grant (tasks action)',
        params: GrantParams,
        body: z.strictObject({
          serverIds: z.array(idOf('srv')).max(200),
          argv: z
            .array(z.string().max(64 * 1024))
            .min(1)
            .max(1000),
          timeoutSeconds: z.number().int().min(1).max(3600).optional(),
        }),
        response: { 202: Run, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          (await access.staff.runCommand(
            await staff(request),
            request.params.grantId,
            request.body,
            contextOf(request),
          )) as unknown as Record<string, unknown>,
        ),
  );

  r.post(
    '/api/staff/grants/:grantId/task-runs',
    {
      schema: {
        tags: ['staff'],
        summary: 'Run a recipe on servers under the grant (tasks action)',
        params: GrantParams,
        body: z.strictObject({
          serverIds: z.array(idOf('srv')).max(200),
          recipe: z.string().max(64),
          params: z.record(z.string(), z.unknown()).default({}),
        }),
        response: { 202: Run, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          (await access.staff.runRecipe(
            await staff(request),
            request.params.grantId,
            request.body,
            contextOf(request),
          )) as unknown as Record<string, unknown>,
        ),
  );

  r.get(
    '/api/staff/grants/:grantId/task-runs/:runId/output',
    {
      schema: {
        tags: ['staff'],
        summary: 'Output of a run you started under this grant (cursor: the `cursor` of the previous page)',
        params: GrantParams.extend({ runId: idOf('run') }),
        querystring: z.strictObject({ after: z.string().max(10_000).optional() }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({ serverId: z.string(), seq: z.number(), stream: z.string(), data: z.string(), at: z.string() }),
            ),
            cursor: z.string(),
            finished: z.boolean(),
            run: Run,
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const cursor = decodeCursor(request.query.after);
      const out = await access.staff.runOutput(
        await staff(request),
        request.params.grantId,
        request.params.runId,
        cursor,
        contextOf(request),
      );
      return {
        entries: out.entries,
        cursor: Buffer.from(JSON.stringify(out.cursor)).toString('base64url'),
        finished: out.finished,
        run: out.view as unknown as Record<string, unknown>,
      };
    },
  );

  r.get(
    '/api/staff/grants/:grantId/servers/:serverId/facts',
    {
      schema: {
        tags: ['staff'],
        summary:
          'What Steward learned about the server (read_facts_logs action); the read shows in the customer’s timeline',
        params: ServerParams,
        response: {
          200: z.object({
            snapshotId: z.string(),
            takenAt: z.string(),
            summary: z.string(),
            facts: z.record(z.string(), z.unknown()),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const out = await access.staff.readFacts(
        await staff(request),
        request.params.grantId,
        request.params.serverId,
        contextOf(request),
      );
      return { ...out, facts: out.facts as unknown as Record<string, unknown> };
    },
  );

  r.get(
    '/api/staff/grants/:grantId/servers/:serverId/found-secrets',
    {
      schema: {
        tags: ['staff'],
        summary: 'Credentials found on the server: where and what (read_facts_logs action), never values',
        params: ServerParams,
        response: {
          200: z.object({
            secrets: z.array(
              z.object({
                id: z.string(),
                location: z.string(),
                key: z.string(),
                kind: z.string(),
                context: z.record(z.string(), z.unknown()),
                firstSeenAt: z.string(),
                lastSeenAt: z.string(),
                goneAt: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      secrets: await access.staff.listFoundSecrets(
        await staff(request),
        request.params.grantId,
        request.params.serverId,
        contextOf(request),
      ),
    }),
  );

  r.post(
    '/api/staff/grants/:grantId/servers/:serverId/found-secrets/:secretId/reveal',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Reveal a found credential (reveal_secrets action, fresh one-time code); audited, shown in this answer only',
        params: ServerParams.extend({ secretId: idOf('cred') }),
        body: z.strictObject({ totpCode }),
        response: {
          200: z.object({ secretId: z.string(), location: z.string(), key: z.string(), value: z.string() }),
          ...errors,
        },
      },
    },
    async (request, reply) => {
      const out = await access.staff.revealFoundSecret({
        actor: await staff(request),
        grantId: request.params.grantId,
        serverId: request.params.serverId,
        secretId: request.params.secretId,
        totpCode: request.body.totpCode,
        ctx: contextOf(request),
      });
      void reply.header('cache-control', 'no-store');
      return { secretId: out.secret.id, location: out.secret.location, key: out.secret.key, value: out.value.reveal() };
    },
  );

  r.get(
    '/api/staff/grants/:grantId/credentials',
    {
      schema: {
        tags: ['staff'],
        summary: 'The credentials the organisation stored, by name and hint, never values (reveal_secrets action)',
        params: GrantParams,
        response: { 200: z.object({ credentials: z.array(Credential) }), ...errors },
      },
    },
    async (request) => ({
      credentials: await access.staff.credentialsOf(await staff(request), request.params.grantId, contextOf(request)),
    }),
  );

  r.get(
    '/api/staff/grants/:grantId/instances',
    {
      schema: {
        tags: ['staff'],
        summary:
          'The instances in the provider accounts the grant covers (provider_actions action); the listing’s provider calls are in the customer’s ledger',
        params: GrantParams,
        response: { 200: z.object({ instances: z.array(Instance) }), ...errors },
      },
    },
    async (request) => ({
      instances: (await access.staff.instancesOf(
        await staff(request),
        request.params.grantId,
        contextOf(request),
      )) as z.infer<typeof Instance>[],
    }),
  );

  r.post(
    '/api/staff/grants/:grantId/credentials/:credentialId/reveal',
    {
      schema: {
        tags: ['staff'],
        summary:
          'Reveal a credential the organisation stored (reveal_secrets action, fresh one-time code); audited, shown in this answer only',
        params: GrantParams.extend({ credentialId: idOf('cred') }),
        body: z.strictObject({ totpCode }),
        response: { 200: z.object({ credentialId: z.string(), value: z.string() }), ...errors },
      },
    },
    async (request, reply) => {
      const out = await access.staff.revealCredential(
        await staff(request),
        request.params.grantId,
        request.params.credentialId,
        request.body.totpCode,
        contextOf(request),
      );
      void reply.header('cache-control', 'no-store');
      return { credentialId: out.credentialId, value: out.value.reveal() };
    },
  );

  r.post(
    '/api/staff/grants/:grantId/provider-accounts/:accountId/instances/:instanceId/actions',
    {
      schema: {
        tags: ['staff'],
        summary: 'Start, stop or reboot an instance under the grant (provider_actions action)',
        params: GrantParams.extend({ accountId: idOf('acct'), instanceId: z.string().max(64) }),
        body: z.strictObject({ action: z.enum(['start', 'stop', 'reboot']) }),
        response: { 200: z.record(z.string(), z.unknown()), ...errors },
      },
    },
    async (request) =>
      (await access.staff.providerAction({
        actor: await staff(request),
        grantId: request.params.grantId,
        accountId: request.params.accountId,
        instanceId: request.params.instanceId,
        action: request.body.action,
        ctx: contextOf(request),
      })) as Record<string, unknown>,
  );

  r.post(
    '/api/staff/grants/:grantId/certificates',
    {
      schema: {
        tags: ['staff'],
        summary:
          'A short-lived SSH certificate for your own OpenSSH client (terminal action, fresh one-time code): valid ≤ 1 hour and never past the grant',
        params: GrantParams,
        body: z.strictObject({
          serverId: z.string().max(40),
          publicKey: z.string().max(16_384),
          totpCode,
          sourceAddress: z.string().max(100).optional(),
        }),
        response: {
          201: z.object({
            certificate: z.string(),
            principal: z.string(),
            keyId: z.string(),
            serial: z.string(),
            validAfter: z.string(),
            validBefore: z.string(),
            login: z.string(),
            host: z.string(),
            port: z.number(),
            caFingerprint: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          await access.ca.issueCertificate(
            await staff(request),
            request.params.grantId,
            request.body,
            contextOf(request),
          ),
        ),
  );

  r.get(
    '/api/staff/support-requests',
    {
      schema: {
        tags: ['staff'],
        summary: 'Support requests waiting for someone, and yours',
        querystring: z.strictObject({
          status: z.enum(['open', 'closed']).default('open'),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ requests: z.array(SupportRequest) }), ...errors },
      },
    },
    async (request) => ({
      requests: await access.support.queue(await staff(request), request.query.status, request.query.limit),
    }),
  );

  r.get(
    '/api/staff/support-requests/:supportId',
    {
      schema: {
        tags: ['staff'],
        summary: 'One request with its messages',
        params: SupportParams,
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) => access.support.getForStaff(await staff(request), request.params.supportId, contextOf(request)),
  );

  r.post(
    '/api/staff/support-requests/:supportId/take',
    {
      schema: {
        tags: ['staff'],
        summary: 'Take the request: its grant binds to you and its window starts',
        params: SupportParams,
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) => access.support.take(await staff(request), request.params.supportId, contextOf(request)),
  );

  r.post(
    '/api/staff/support-requests/:supportId/messages',
    {
      schema: {
        tags: ['staff'],
        summary: 'Reply to the customer',
        params: SupportParams,
        body: z.strictObject({ body: prose(10_000) }),
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) =>
      access.support.replyAsStaff(
        await staff(request),
        request.params.supportId,
        request.body.body,
        contextOf(request),
      ),
  );

  r.post(
    '/api/staff/support-requests/:supportId/close',
    {
      schema: {
        tags: ['staff'],
        summary: 'Close the request; its grant ends',
        params: SupportParams,
        response: { 200: SupportRequest, ...errors },
      },
    },
    async (request) => access.support.closeAsStaff(await staff(request), request.params.supportId, contextOf(request)),
  );
}

function decodeCursor(text: string | undefined): Record<string, number> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed)
        .filter(([k, v]) => /^srv_[0-9a-z]{26}$/.test(k) && Number.isInteger(v))
        .map(([k, v]) => [k, v as number]),
    );
  } catch {
    return {};
  }
}
