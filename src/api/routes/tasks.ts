import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { AppError } from '../../kernel/errors.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams } from '../schemas.js';

const Step = z.object({
  id: z.string(),
  description: z.string(),
  status: z.string(),
  durationMs: z.number(),
  error: z.string().optional(),
});
const HostRun = z.object({
  serverId: z.string(),
  status: z.string(),
  steps: z.array(Step),
  exitCode: z.number().nullable(),
  error: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
const Run = z
  .object({
    id: z.string(),
    kind: z.enum(['recipe', 'command', 'discovery']),
    recipe: z.string().nullable(),
    command: z.array(z.string()).nullable(),
    params: z.record(z.string(), z.unknown()),
    status: z.enum(['running', 'succeeded', 'failed', 'partial']),
    requestedBy: z.string().nullable(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    progress: z.object({
      total: z.number(),
      queued: z.number(),
      running: z.number(),
      done: z.number(),
      failed: z.number(),
      changed: z.number(),
    }),
    hosts: z.array(HostRun),
  })
  .meta({ id: 'TaskRun' });
const RunParams = OrgParams.extend({ runId: idOf('run') });
const Selection = { serverIds: z.array(idOf('srv')).max(1000).optional(), all: z.boolean().optional() };
const Output = z.object({
  entries: z.array(
    z.object({ serverId: z.string(), seq: z.number(), stream: z.string(), data: z.string(), at: z.string() }),
  ),
  cursor: z.string(),
  finished: z.boolean(),
  run: Run,
});

function decodeCursor(text: string | undefined): Record<string, number> {
  if (!text) return {};
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return Object.fromEntries(
      Object.entries(parsed)
        .filter(([k, v]) => /^srv_[0-9a-z]{26}$/.test(k) && Number.isInteger(v))
        .map(([k, v]) => [k, v as number]),
    );
  } catch {
    throw new AppError('STEWARD_INVALID_INPUT', 'after: not a cursor returned by this endpoint.');
  }
}
const encodeCursor = (c: Record<string, number>): string => Buffer.from(JSON.stringify(c)).toString('base64url');

/** Recipes, ad-hoc commands and their runs, with live output (polling or server-sent events). */
export function taskRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/recipes',
    {
      schema: {
        tags: ['tasks'],
        summary: 'The maintenance recipes Steward offers',
        response: {
          200: z.object({
            recipes: z.array(
              z.object({
                id: z.string(),
                title: z.string(),
                description: z.string(),
                kind: z.enum(['state', 'action']),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      requireActor(request);
      return { recipes: core.tasks.recipes() };
    },
  );

  r.post(
    '/api/orgs/:orgId/task-runs',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Run a recipe on servers (one job per server, live output)',
        params: OrgParams,
        body: z.strictObject({
          recipe: z.string().max(64),
          params: z.record(z.string(), z.unknown()).default({}),
          ...Selection,
        }),
        response: { 202: Run, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await core.tasks.runRecipe(requireActor(request), request.params.orgId, request.body, contextOf(request)),
        ),
  );

  r.post(
    '/api/orgs/:orgId/commands',
    {
      schema: {
        tags: ['tasks'],
        summary:
          'Run an ad-hoc command on servers; argv words are passed as they are, never through a shell unless you run one',
        params: OrgParams,
        body: z.strictObject({
          argv: z
            .array(z.string().max(64 * 1024))
            .min(1)
            .max(1000),
          timeoutSeconds: z.number().int().min(1).max(3600).optional(),
          ...Selection,
        }),
        response: { 202: Run, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(202)
        .send(
          await core.tasks.runCommand(requireActor(request), request.params.orgId, request.body, contextOf(request)),
        ),
  );

  r.get(
    '/api/orgs/:orgId/task-runs',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Task history, newest first',
        params: OrgParams,
        querystring: z.strictObject({
          serverId: idOf('srv').optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ runs: z.array(Run) }), ...errors },
      },
    },
    async (request) => ({
      runs: await core.tasks.listRuns(requireActor(request), request.params.orgId, request.query, contextOf(request)),
    }),
  );

  r.get(
    '/api/orgs/:orgId/task-runs/:runId',
    {
      schema: {
        tags: ['tasks'],
        summary: 'One run with per-server progress and step outcomes',
        params: RunParams,
        response: { 200: Run, ...errors },
      },
    },
    async (request) =>
      core.tasks.getRun(requireActor(request), request.params.orgId, request.params.runId, contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/task-runs/:runId/output',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Output since a cursor (poll with the returned cursor until finished)',
        params: RunParams,
        querystring: z.strictObject({ after: z.string().max(100_000).optional() }),
        response: { 200: Output, ...errors },
      },
    },
    async (request) => {
      const out = await core.tasks.output(
        requireActor(request),
        request.params.orgId,
        request.params.runId,
        decodeCursor(request.query.after),
        contextOf(request),
      );
      return { entries: out.entries, cursor: encodeCursor(out.cursor), finished: out.finished, run: out.view };
    },
  );

  r.get(
    '/api/orgs/:orgId/task-runs/:runId/events',
    {
      schema: {
        tags: ['tasks'],
        summary: 'Live output and progress as server-sent events (event: output | progress | end)',
        params: RunParams,
        response: { 200: z.string().describe('text/event-stream'), ...errors },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request);
      const { orgId, runId } = request.params;
      const ctx = contextOf(request);
      let cursor: Record<string, number> = {};
      const first = await core.tasks.output(actor, orgId, runId, cursor, ctx); // authorises before the stream opens
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-request-id': String(request.id),
        'x-content-type-options': 'nosniff',
      });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      let out = first;
      for (;;) {
        for (const e of out.entries) send('output', e);
        send('progress', out.view.progress);
        cursor = out.cursor;
        if (out.finished && out.entries.length === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 300));
        if (closed) return;
        out = await core.tasks.output(actor, orgId, runId, cursor, ctx);
      }
      send('end', { status: out.view.status });
      res.end();
    },
  );
}
