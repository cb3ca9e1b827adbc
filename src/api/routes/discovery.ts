import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams } from '../schemas.js';

const ServerParams = OrgParams.extend({ serverId: idOf('srv') });
const Change = z.object({
  category: z.string(),
  action: z.enum(['added', 'removed', 'changed']),
  id: z.string(),
  summary: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  attention: z.boolean(),
});
const FactsOut = z
  .object({
    snapshotId: z.string(),
    takenAt: z.string(),
    summary: z.string(),
    facts: z.record(z.string(), z.unknown()),
    changes: z.array(Change).optional(),
  })
  .meta({ id: 'ServerFacts' });
const Schedule = z.object({ serverId: z.string(), everyMinutes: z.number(), nextRunAt: z.string() });

/** Facts are a typed interface; the response schema treats them as an open JSON object. */
const asRecord = <T extends { facts: object }>(out: T) => ({
  ...out,
  facts: out.facts as unknown as Record<string, unknown>,
});

/** Self-discovery: start runs, read facts, history and changes, found credentials (never their values), schedules. */
export function discoveryRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    '/api/orgs/:orgId/discovery',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Discover servers now (one login each); answers with the run to follow',
        params: OrgParams,
        body: z.strictObject({
          serverIds: z.array(idOf('srv')).max(1000).optional(),
          all: z.boolean().optional(),
          full: z
            .boolean()
            .optional()
            .describe('Run every section even where its inputs are unchanged since the last run (default false)'),
        }),
        response: { 202: z.object({ runId: z.string(), total: z.number() }), ...errors },
      },
    },
    async (request, reply) => {
      const run = await core.discovery.requestDiscovery(
        requireActor(request),
        request.params.orgId,
        request.body,
        contextOf(request),
      );
      return reply.code(202).send({ runId: run.id, total: run.progress.total });
    },
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/facts',
    {
      schema: {
        tags: ['discovery'],
        summary: 'What Steward last learned about the server',
        params: ServerParams,
        response: { 200: FactsOut, ...errors },
      },
    },
    async (request) =>
      asRecord(
        await core.discovery.latestFacts(
          requireActor(request),
          request.params.orgId,
          request.params.serverId,
          contextOf(request),
        ),
      ),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/snapshots',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Discovery history with what changed each time',
        params: ServerParams,
        querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(20) }),
        response: {
          200: z.object({
            snapshots: z.array(
              z.object({
                id: z.string(),
                takenAt: z.string(),
                runId: z.string().nullable(),
                summary: z.string(),
                attention: z.number(),
                changes: z.array(Change),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      snapshots: await core.discovery.history(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        request.query.limit,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/snapshots/:snapshotId',
    {
      schema: {
        tags: ['discovery'],
        summary: 'One discovery snapshot',
        params: ServerParams.extend({ snapshotId: idOf('snap') }),
        response: { 200: FactsOut, ...errors },
      },
    },
    async (request) =>
      asRecord(
        await core.discovery.snapshot(
          requireActor(request),
          request.params.orgId,
          request.params.serverId,
          request.params.snapshotId,
          contextOf(request),
        ),
      ),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/found-secrets',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Credentials found in the server’s configuration files: where and what, sealed (values never shown)',
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
      secrets: await core.discovery.foundSecrets(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/discovery-schedule',
    {
      schema: {
        tags: ['discovery'],
        summary: 'The server’s discovery schedule, if any',
        params: ServerParams,
        response: { 200: z.object({ schedule: Schedule.nullable() }), ...errors },
      },
    },
    async (request) => ({
      schedule: await core.discovery.getSchedule(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      ),
    }),
  );

  r.put(
    '/api/orgs/:orgId/servers/:serverId/discovery-schedule',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Discover the server every N minutes (a standing instruction, recorded as such in the ledger)',
        params: ServerParams,
        body: z.strictObject({
          everyMinutes: z
            .number()
            .int()
            .min(5)
            .max(7 * 24 * 60),
        }),
        response: { 200: Schedule, ...errors },
      },
    },
    async (request) =>
      core.discovery.setSchedule(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        request.body.everyMinutes,
        contextOf(request),
      ),
  );

  r.delete(
    '/api/orgs/:orgId/servers/:serverId/discovery-schedule',
    {
      schema: {
        tags: ['discovery'],
        summary: 'Stop scheduled discovery of the server',
        params: ServerParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await core.discovery.clearSchedule(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );
}
