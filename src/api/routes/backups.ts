import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DB_AUTH, PLAN_KINDS } from '../../core/backups/index.js';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { errors, idOf, OrgParams, text } from '../schemas.js';

const PlanParams = OrgParams.extend({ planId: idOf('bplan') });
const RepoParams = OrgParams.extend({ repositoryId: idOf('repo') });
const RunParams = OrgParams.extend({ runId: idOf('bkup') });
const ServerParams = OrgParams.extend({ serverId: idOf('srv') });
const Path = z.string().min(1).max(1024);
const Keep = z.strictObject({
  last: z.number().int().min(0).max(1000).optional(),
  daily: z.number().int().min(0).max(1000).optional(),
  weekly: z.number().int().min(0).max(1000).optional(),
  monthly: z.number().int().min(0).max(1000).optional(),
});
const DbName = z.string().min(1).max(64);
const PlanFields = {
  name: text(200).optional(),
  database: DbName.optional(),
  paths: z.array(Path).max(100).optional(),
  excludes: z.array(z.string().min(1).max(512)).max(100).optional(),
  dbAuth: z.enum(DB_AUTH).optional(),
  dbUser: z.string().min(1).max(80).optional(),
  dbSecretId: idOf('cred').optional(),
  dbPassword: z.string().min(1).max(1024).optional(),
  everyMinutes: z.number().int().optional(),
  keep: Keep.optional(),
  repositoryId: idOf('repo').optional(),
  enabled: z.boolean().optional(),
};
const KeepOut = z.object({ last: z.number(), daily: z.number(), weekly: z.number(), monthly: z.number() });
const Plan = z
  .object({
    id: z.string(),
    serverId: z.string(),
    repositoryId: z.string(),
    name: z.string(),
    kind: z.enum(PLAN_KINDS),
    database: z.string().nullable(),
    paths: z.array(z.string()),
    excludes: z.array(z.string()),
    dbAuth: z.string().nullable(),
    dbUser: z.string().nullable(),
    dbSecretId: z.string().nullable(),
    hasGivenPassword: z.boolean(),
    everyMinutes: z.number(),
    nextRunAt: z.string(),
    keep: KeepOut,
    enabled: z.boolean(),
    lastOkAt: z.string().nullable(),
    lastFailedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'BackupPlan' });
const Proposal = z.object({
  serverId: z.string(),
  name: z.string().optional(),
  kind: z.enum(PLAN_KINDS),
  database: z.string().optional(),
  paths: z.array(z.string()).optional(),
  dbAuth: z.string().optional(),
});
const Repository = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['local', 'sftp', 's3']),
    location: z.record(z.string(), z.unknown()),
    url: z.string(),
    publicKey: z.string().nullable(),
    isDefault: z.boolean(),
    initialised: z.boolean(),
    lastCheckAt: z.string().nullable(),
    lastCheckStatus: z.string().nullable(),
    lastCheckError: z.string().nullable(),
    storedBytes: z.number(),
    createdAt: z.string(),
  })
  .meta({ id: 'BackupRepository' });
const Run = z
  .object({
    id: z.string(),
    kind: z.enum(['backup', 'restore', 'check']),
    planId: z.string().nullable(),
    repositoryId: z.string(),
    serverId: z.string().nullable(),
    status: z.enum(['queued', 'running', 'succeeded', 'failed']),
    dryRun: z.boolean(),
    request: z.record(z.string(), z.unknown()),
    instruction: z.object({ type: z.string(), id: z.string().nullable(), actorId: z.string().nullable() }),
    snapshotId: z.string().nullable(),
    bytesRead: z.number(),
    bytesAdded: z.number(),
    durationMs: z.number().nullable(),
    progress: z.record(z.string(), z.unknown()).nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    attempt: z.number(),
    queuedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'BackupRun' });
const RestorePoint = z
  .object({
    id: z.string(),
    planId: z.string(),
    serverId: z.string(),
    repositoryId: z.string(),
    takenAt: z.string(),
    sizeBytes: z.number(),
    addedBytes: z.number(),
    durationMs: z.number(),
    entry: z.string(),
  })
  .meta({ id: 'RestorePoint' });
const RestoreBody = z.strictObject({
  snapshotId: z.string().regex(/^[0-9a-f]{8,64}$/, 'must be a restore point id'),
  targetServerId: idOf('srv').optional(),
  database: DbName.optional(),
  paths: z.array(Path).max(100).optional(),
  into: Path.optional(),
  dryRun: z.boolean().optional(),
});
const Limit = z.coerce.number().int().min(1).max(500).default(100);
const RunsQuery = z.strictObject({ planId: idOf('bplan').optional(), serverId: idOf('srv').optional(), limit: Limit });

/** Backups: repositories and the organisation's key, plans, runs, restore points, restores and checks. */
export function backupRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const b = core.backups;
  const tags = ['backups'];

  r.get(
    '/api/orgs/:orgId/backups/repositories',
    {
      schema: {
        tags,
        summary: 'Where restore points are kept',
        params: OrgParams,
        response: { 200: z.object({ repositories: z.array(Repository) }), ...errors },
      },
    },
    async (req) => ({ repositories: await b.repositories.list(requireActor(req), req.params.orgId, contextOf(req)) }),
  );
  r.post(
    '/api/orgs/:orgId/backups/repositories',
    {
      schema: {
        tags,
        summary:
          'Add an SFTP host (authorise the returned public key there, then verify) or an S3-compatible bucket (owners)',
        params: OrgParams,
        body: z.discriminatedUnion('kind', [
          z.strictObject({
            kind: z.literal('sftp'),
            name: text(100),
            host: z.string().min(1).max(253),
            port: z.number().int().min(1).max(65535).optional(),
            user: z.string().min(1).max(32),
            path: Path,
            hostKey: z.string().min(1).max(8192),
          }),
          z.strictObject({
            kind: z.literal('s3'),
            name: text(100),
            endpoint: z.string().min(1).max(300),
            bucket: z.string().min(1).max(63),
            prefix: z.string().max(200).optional(),
            region: z.string().min(1).max(40).optional(),
            accessKeyId: z.string().min(1).max(128),
            secretAccessKey: z.string().min(1).max(256),
          }),
        ]),
        response: { 201: Repository, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await b.repositories.add(requireActor(req), req.params.orgId, req.body, contextOf(req))),
  );
  r.post(
    '/api/orgs/:orgId/backups/repositories/:repositoryId/verify',
    {
      schema: {
        tags,
        summary: 'Initialise or open a repository (after authorising Steward’s key on an SFTP host)',
        params: RepoParams,
        response: { 200: Repository, ...errors },
      },
    },
    async (req) => b.repositories.verify(requireActor(req), req.params.orgId, req.params.repositoryId, contextOf(req)),
  );
  r.post(
    '/api/orgs/:orgId/backups/repositories/:repositoryId/check',
    {
      schema: {
        tags,
        summary: 'Verify a repository now (restic check), as a run',
        params: RepoParams,
        response: { 202: Run, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .code(202)
        .send(await b.checkNow(requireActor(req), req.params.orgId, req.params.repositoryId, contextOf(req))),
  );
  r.delete(
    '/api/orgs/:orgId/backups/repositories/:repositoryId',
    {
      schema: {
        tags,
        summary: 'Remove a repository from Steward (its data stays where it is)',
        params: RepoParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await b.repositories.remove(requireActor(req), req.params.orgId, req.params.repositoryId, contextOf(req));
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/api/orgs/:orgId/backups/key/export',
    {
      schema: {
        tags,
        summary: 'The repository password and URLs, to open the backups with restic alone (owners; audited)',
        params: OrgParams,
        response: {
          200: z.object({
            password: z.string(),
            repositories: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string(), url: z.string() })),
            howTo: z.string(),
          }),
          ...errors,
        },
      },
    },
    async (req) => b.repositories.exportKey(requireActor(req), req.params.orgId, contextOf(req)),
  );

  r.get(
    '/api/orgs/:orgId/backups/plans',
    {
      schema: {
        tags,
        summary: 'Backup plans (of one server with ?serverId)',
        params: OrgParams,
        querystring: z.strictObject({ serverId: idOf('srv').optional() }),
        response: { 200: z.object({ plans: z.array(Plan) }), ...errors },
      },
    },
    async (req) => ({
      plans: await b.plans.list(requireActor(req), req.params.orgId, req.query.serverId, contextOf(req)),
    }),
  );
  r.get(
    '/api/orgs/:orgId/servers/:serverId/backups/proposals',
    {
      schema: {
        tags,
        summary: 'What discovery suggests backing up on this server (nothing is created)',
        params: ServerParams,
        response: { 200: z.object({ proposals: z.array(Proposal) }), ...errors },
      },
    },
    async (req) => ({
      proposals: (await b.plans.propose(
        requireActor(req),
        req.params.orgId,
        req.params.serverId,
        contextOf(req),
      )) as z.infer<typeof Proposal>[],
    }),
  );
  r.post(
    '/api/orgs/:orgId/backups/plans',
    {
      schema: {
        tags,
        summary: 'Create a backup plan (a standing instruction: its runs are ledgered against it)',
        params: OrgParams,
        body: z.strictObject({ serverId: idOf('srv'), kind: z.enum(PLAN_KINDS), ...PlanFields }),
        response: { 201: Plan, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await b.plans.create(requireActor(req), req.params.orgId, req.body, contextOf(req))),
  );
  r.patch(
    '/api/orgs/:orgId/backups/plans/:planId',
    {
      schema: {
        tags,
        summary: 'Change a plan (schedule, keep rules, paths, credentials, on/off)',
        params: PlanParams,
        body: z.strictObject(PlanFields),
        response: { 200: Plan, ...errors },
      },
    },
    async (req) => b.plans.update(requireActor(req), req.params.orgId, req.params.planId, req.body, contextOf(req)),
  );
  r.delete(
    '/api/orgs/:orgId/backups/plans/:planId',
    {
      schema: {
        tags,
        summary: 'Delete a plan (its restore points stay in the repository until pruned)',
        params: PlanParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await b.plans.remove(requireActor(req), req.params.orgId, req.params.planId, contextOf(req));
      return reply.code(204).send(null);
    },
  );
  r.post(
    '/api/orgs/:orgId/backups/plans/:planId/run',
    { schema: { tags, summary: 'Back up now', params: PlanParams, response: { 202: Run, ...errors } } },
    async (req, reply) =>
      reply.code(202).send(await b.runNow(requireActor(req), req.params.orgId, req.params.planId, contextOf(req))),
  );

  r.get(
    '/api/orgs/:orgId/backups/runs',
    {
      schema: {
        tags,
        summary: 'Backup, restore and check runs, newest first',
        params: OrgParams,
        querystring: RunsQuery,
        response: { 200: z.object({ runs: z.array(Run) }), ...errors },
      },
    },
    async (req) => ({ runs: await b.runs(requireActor(req), req.params.orgId, req.query, contextOf(req)) }),
  );
  r.get(
    '/api/orgs/:orgId/backups/runs/:runId',
    {
      schema: {
        tags,
        summary: 'One run with its progress and result (a dry run’s list of changes)',
        params: RunParams,
        response: { 200: Run, ...errors },
      },
    },
    async (req) => b.run(requireActor(req), req.params.orgId, req.params.runId, contextOf(req)),
  );
  r.get(
    '/api/orgs/:orgId/backups/restore-points',
    {
      schema: {
        tags,
        summary: 'Restore points, newest first',
        params: OrgParams,
        querystring: RunsQuery,
        response: { 200: z.object({ restorePoints: z.array(RestorePoint) }), ...errors },
      },
    },
    async (req) => ({
      restorePoints: await b.restorePoints(requireActor(req), req.params.orgId, req.query, contextOf(req)),
    }),
  );
  r.get(
    '/api/orgs/:orgId/servers/:serverId/backups',
    {
      schema: {
        tags,
        summary: 'Per plan of a server: the last good backup, its size and duration, and the restore points',
        params: ServerParams,
        response: {
          200: z.object({
            plans: z.array(
              z.object({
                plan: Plan,
                lastGood: z
                  .object({
                    runId: z.string(),
                    at: z.string().nullable(),
                    sizeBytes: z.number(),
                    addedBytes: z.number(),
                    durationMs: z.number().nullable(),
                  })
                  .nullable(),
                lastRun: Run.nullable(),
                late: z.boolean(),
                restorePoints: z.array(RestorePoint),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => ({
      plans: await b.serverSummary(requireActor(req), req.params.orgId, req.params.serverId, contextOf(req)),
    }),
  );
  r.post(
    '/api/orgs/:orgId/backups/restores',
    {
      schema: {
        tags,
        summary:
          'Restore a database or chosen paths to the same or another server (dryRun lists what would change; owners restore, members may dry-run)',
        params: OrgParams,
        body: RestoreBody,
        response: { 202: Run, ...errors },
      },
    },
    async (req, reply) =>
      reply.code(202).send(await b.restore(requireActor(req), req.params.orgId, req.body, contextOf(req))),
  );
  r.post(
    '/api/staff/grants/:grantId/backups/restores',
    {
      schema: {
        tags: ['staff'],
        summary: 'Restore under a grant whose scope covers the target server and allows restore_backups',
        params: z.strictObject({ grantId: idOf('grant') }),
        body: RestoreBody.extend({ orgId: idOf('org') }),
        response: { 202: Run, ...errors },
      },
    },
    async (req, reply) => {
      const { orgId, ...input } = req.body;
      return reply
        .code(202)
        .send(await b.restoreUnderGrant(requireActor(req), req.params.grantId, orgId, input, contextOf(req)));
    },
  );
}
