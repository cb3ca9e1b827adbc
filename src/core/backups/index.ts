/**
 * Backups and restore of customers' databases and files into restic repositories (docs/decisions/0016-backups.md):
 * repositories and the organisation's key, plans proposed from discovery, runs as jobs (backup, restore, check),
 * the standing schedules (due plans, late backups, repository checks) and the alerts and mail they raise.
 */
import { join } from 'node:path';
import type { Db, Executor } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import type { Config } from '../../kernel/config.js';
import { AppError, invalidInput, isAppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { auditActor, type Actor } from '../actor.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import type { DiscoveryService } from '../discovery/discovery.service.js';
import { instructionFromPayload, instructionPayload, userInstruction, type Instruction } from '../instruction.js';
import { WorkerStopping, type JobContext, type Queue } from '../jobs/queue.js';
import type { NotifyService } from '../notify/notify.service.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { assertPath, isLate } from './backups.rules.js';
import { backupsStore, type RunRow, type SnapshotRow } from './backups.store.js';
import type { RestoreInput } from './backups.types.js';
import { createPlansService } from './plans.service.js';
import { createRepositories } from './repositories.js';
import { createRestic } from './restic.js';
import { createRunner } from './runner.js';
import './templates.js';

/** The access module's grant check, for staff restoring under a support grant. */
export type RestoreGrants = (
  actor: Actor,
  resource: { kind: 'server'; orgId: string; serverId: string; grantId: string },
  action: 'restore_backups',
  ctx: RequestContext,
) => Promise<{ instruction: Instruction }>;

export interface BackupsDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly config: Pick<Config, 'backups' | 'publicUrl'>;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly queue: Pick<Queue, 'enqueue' | 'register'>;
  readonly alerts: Pick<AlertsService, 'raise' | 'resolve'>;
  readonly notify: Pick<NotifyService, 'queueMail'>;
  /** Who gets alert mail (the monitoring settings' recipients). */
  readonly recipients: (orgId: string) => Promise<string[]>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly servers: Pick<ServersService, 'requireServer' | 'rowById'>;
  readonly gateway: () => Pick<ServerGateway, 'withServer'>;
  readonly discovery: Pick<DiscoveryService, 'underGrant'>;
  /** Staff access: a restore under a grant needs an active grant that allows restore_backups. */
  readonly grants: { readonly requireActiveGrant: RestoreGrants };
}

const QUEUE = 'backups.run';

const runView = (r: RunRow) => ({
  id: r.id,
  kind: r.kind,
  planId: r.plan_id,
  repositoryId: r.repository_id,
  serverId: r.server_id,
  status: r.status,
  dryRun: r.dry_run === 1,
  request: JSON.parse(r.request) as Record<string, unknown>,
  instruction: { type: r.instruction_type, id: r.instruction_id, actorId: r.actor_id },
  snapshotId: r.snapshot_id,
  bytesRead: Number(r.bytes_read),
  bytesAdded: Number(r.bytes_added),
  durationMs: r.duration_ms,
  progress: r.progress ? (JSON.parse(r.progress) as Record<string, unknown>) : null,
  result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : null,
  error: r.error_code ? { code: r.error_code, message: r.error_message ?? '' } : null,
  attempt: r.attempt,
  queuedAt: r.queued_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
export type BackupRunView = ReturnType<typeof runView>;

const pointView = (s: SnapshotRow) => ({
  id: s.id,
  planId: s.plan_id,
  serverId: s.server_id,
  repositoryId: s.repository_id,
  takenAt: s.taken_at,
  sizeBytes: Number(s.size_bytes),
  addedBytes: Number(s.added_bytes),
  durationMs: s.duration_ms,
  entry: s.entry,
});
export type RestorePointView = ReturnType<typeof pointView>;

export function registerBackups(deps: BackupsDeps) {
  const { db, clock } = deps;
  const logger = deps.logger.child({ module: 'backups' });
  const restic = createRestic({
    bin: deps.config.backups.restic,
    cacheDir: join(deps.config.backups.dir, 'cache'),
    workDir: join(deps.config.backups.dir, 'work'),
  });
  const repositories = createRepositories({
    db,
    clock,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    restic,
    dir: deps.config.backups.dir,
  });
  const plans = createPlansService({
    db,
    clock,
    vault: deps.vault,
    audit: deps.audit,
    orgs: deps.orgs,
    servers: deps.servers,
    discovery: deps.discovery,
    repositories,
  });
  const runner = createRunner({
    db,
    clock,
    logger,
    restic,
    repositories,
    gateway: deps.gateway,
    servers: deps.servers,
    discovery: deps.discovery,
    vault: deps.vault,
    stallMs: deps.config.backups.stallMs,
  });
  const consoleUrl = (serverId: string | null) =>
    `${deps.config.publicUrl}/${serverId ? `servers/${serverId}/backups` : 'backups'}`;

  /**
   * Queues alert mail in the caller's transaction. The recipients are read before it opens: on SQLite a read on
   * the pool while the transaction holds the one connection would wait for ever.
   */
  async function mail(args: {
    readonly trx: Executor;
    readonly recipients: readonly string[];
    readonly orgId: string;
    readonly template: string;
    /** Each recipient's mail is deduplicated by `<key>:<index>`. */
    readonly key: string;
    readonly vars: Record<string, string>;
  }) {
    const { trx, recipients, orgId, template, key, vars } = args;
    for (const [i, to] of recipients.entries())
      await deps.notify.queueMail(trx, {
        to,
        scope: orgId,
        orgId,
        category: 'transactional',
        template,
        vars,
        dedupeKey: `${key}:${i}`,
      });
  }

  /** A new run, queued in the same transaction as its audit event. */
  async function queueRun(
    trx: Executor,
    run: Omit<
      RunRow,
      | 'id'
      | 'status'
      | 'snapshot_id'
      | 'bytes_read'
      | 'bytes_added'
      | 'duration_ms'
      | 'progress'
      | 'result'
      | 'error_code'
      | 'error_message'
      | 'attempt'
      | 'queued_at'
      | 'started_at'
      | 'finished_at'
      | 'instruction_type'
      | 'instruction_id'
      | 'actor_id'
    >,
    instruction: Instruction,
  ): Promise<RunRow> {
    const row: RunRow = {
      ...run,
      id: newId('bkup', clock.nowMs()),
      status: 'queued',
      instruction_type: instruction.type,
      instruction_id: instruction.id,
      actor_id: instruction.actorId,
      snapshot_id: null,
      bytes_read: 0,
      bytes_added: 0,
      duration_ms: null,
      progress: null,
      result: null,
      error_code: null,
      error_message: null,
      attempt: 0,
      queued_at: clock.iso(),
      started_at: null,
      finished_at: null,
    };
    await backupsStore.insertRun(trx, row);
    await deps.queue.enqueue(trx, {
      queue: QUEUE,
      orgId: row.org_id,
      payload: { runId: row.id, kind: row.kind, repositoryId: row.repository_id, ...instructionPayload(instruction) },
      maxAttempts: 3,
    });
    return row;
  }

  async function startBackup(planId: string, instruction: Instruction, actor: Actor | null, ctx: RequestContext) {
    const plan = await backupsStore.planById(db, planId);
    if (!plan) throw notFound('The backup plan');
    const active = await backupsStore.activeRunOfPlan(db, planId);
    if (active)
      throw new AppError('STEWARD_CONFLICT', `A backup of this plan is already ${active.status} (${active.id}).`);
    return db.transaction().execute(async (trx) => {
      const run = await queueRun(
        trx,
        {
          org_id: plan.org_id,
          kind: 'backup',
          plan_id: plan.id,
          repository_id: plan.repository_id,
          server_id: plan.server_id,
          dry_run: 0,
          request: '{}',
        },
        instruction,
      );
      if (actor)
        await deps.audit.record(
          trx,
          {
            action: 'backup.requested',
            orgId: plan.org_id,
            actor: auditActor(actor),
            target: { type: 'backup_plan', id: plan.id },
            details: { run: run.id },
          },
          ctx,
        );
      return runView(run);
    });
  }

  // Jobs: one handler for every kind of run
  async function handle(job: JobContext): Promise<void> {
    const run = await backupsStore.run(db, String(job.payload.runId));
    if (!run || run.status === 'succeeded' || run.status === 'failed') return;
    const attempt = run.attempt + 1;
    const started = clock.nowMs();
    await backupsStore.updateRun(db, run.id, {
      status: 'running',
      attempt,
      started_at: clock.iso(),
      error_code: null,
      error_message: null,
    });
    const instruction = instructionFromPayload(job.payload);
    const current = { ...run, attempt };
    try {
      if (run.kind === 'check') return await finishCheck(current);
      const plan = run.plan_id ? await backupsStore.planById(db, run.plan_id) : undefined;
      const repo = plan ? await backupsStore.repository(db, run.org_id, run.repository_id) : undefined;
      const server = run.server_id ? await deps.servers.rowById(run.server_id) : undefined;
      if (!plan || !repo || !server)
        throw new AppError('STEWARD_NOT_FOUND', 'The plan, repository or server of this run is gone.');
      if (run.kind === 'backup') {
        const out = await runner.backup({ run: current, plan, repo, server, instruction, signal: job.signal });
        await db.transaction().execute(async (trx) => {
          await backupsStore.insertSnapshot(trx, {
            id: out.snapshotId,
            org_id: run.org_id,
            repository_id: repo.id,
            plan_id: plan.id,
            server_id: server.id,
            taken_at: clock.iso(),
            size_bytes: out.bytesRead,
            added_bytes: out.bytesAdded,
            duration_ms: out.durationMs,
            entry: plan.kind === 'files' ? 'files.tar' : `${plan.database}.sql`,
            forgotten_at: null,
          });
          await backupsStore.forgetSnapshots(trx, repo.id, out.forgotten, clock.iso());
          if (out.storedBytes !== null)
            await backupsStore.updateRepository(trx, repo.id, { stored_bytes: out.storedBytes });
          await backupsStore.updatePlan(trx, plan.id, { last_ok_at: clock.iso() });
          await backupsStore.updateRun(trx, run.id, {
            status: 'succeeded',
            snapshot_id: out.snapshotId,
            bytes_read: out.bytesRead,
            bytes_added: out.bytesAdded,
            duration_ms: out.durationMs,
            result: JSON.stringify({ forgotten: out.forgotten.length, warning: out.warning }),
            finished_at: clock.iso(),
          });
          await deps.alerts.resolve(run.org_id, server.id, `backup_failed:${plan.id}`, trx);
          await deps.alerts.resolve(run.org_id, server.id, `backup_late:${plan.id}`, trx);
          await deps.audit.record(trx, {
            action: 'backup.succeeded',
            orgId: run.org_id,
            actor: { type: 'system' },
            target: { type: 'backup_plan', id: plan.id },
            details: {
              run: run.id,
              snapshot: out.snapshotId,
              bytesRead: out.bytesRead,
              bytesAdded: out.bytesAdded,
              durationMs: out.durationMs,
              forgotten: out.forgotten.length,
            },
          });
        });
        return;
      }
      const out = await runner.restore({ run: current, plan, repo, server, instruction, signal: job.signal });
      const dry = run.dry_run === 1;
      await db.transaction().execute(async (trx) => {
        await backupsStore.updateRun(trx, run.id, {
          status: 'succeeded',
          bytes_read: out.bytes,
          duration_ms: clock.nowMs() - started,
          result: JSON.stringify(dry ? { changes: out.changes, total: out.total } : { bytesWritten: out.bytes }),
          finished_at: clock.iso(),
        });
        if (!dry)
          await deps.audit.record(trx, {
            action: 'backup.restored',
            orgId: run.org_id,
            actor: { type: 'system' },
            target: { type: 'server', id: server.id },
            details: {
              run: run.id,
              plan: plan.id,
              ...(JSON.parse(run.request) as Record<string, unknown>),
              bytesWritten: out.bytes,
            },
          });
      });
    } catch (err) {
      if (err instanceof WorkerStopping || job.signal.reason instanceof WorkerStopping) {
        await backupsStore.updateRun(db, run.id, {
          status: 'queued',
          error_code: 'STEWARD_BACKUP_INTERRUPTED',
          error_message: 'The worker stopped; the run starts again.',
        });
        throw err;
      }
      await recordFailure(current, err, clock.nowMs() - started);
    }
  }

  async function recordFailure(run: RunRow, err: unknown, durationMs: number): Promise<void> {
    const e = isAppError(err) ? err : new AppError('STEWARD_BACKUP_FAILED', (err as Error).message);
    logger.warn({ run: run.id, kind: run.kind, code: e.code, err: e.message }, 'backup run failed');
    const plan = run.plan_id ? await backupsStore.planById(db, run.plan_id) : undefined;
    const server = run.server_id ? await deps.servers.rowById(run.server_id) : undefined;
    const recipients = await deps.recipients(run.org_id);
    await db.transaction().execute(async (trx) => {
      await backupsStore.updateRun(trx, run.id, {
        status: 'failed',
        error_code: e.code,
        error_message: e.message,
        duration_ms: durationMs,
        finished_at: clock.iso(),
      });
      if (run.kind === 'backup' && plan) {
        await backupsStore.updatePlan(trx, plan.id, { last_failed_at: clock.iso() });
        const kind = `backup_failed:${plan.id}`;
        const alert = await deps.alerts.raise(
          {
            orgId: run.org_id,
            serverId: plan.server_id,
            kind,
            severity: 'warning',
            title: `${server?.name ?? 'A server'}: the backup “${plan.name}” failed`,
            details: { run: run.id, code: e.code, message: e.message },
          },
          trx,
        );
        await mail({
          trx,
          recipients,
          orgId: run.org_id,
          template: 'backups.failed',
          key: `backup_failed:${alert}`,
          vars: {
            server: server?.name ?? plan.server_id,
            plan: plan.name,
            at: clock.iso(),
            message: e.message,
            url: consoleUrl(plan.server_id),
          },
        });
      }
      await deps.audit.record(trx, {
        action: run.kind === 'backup' ? 'backup.failed' : 'backup.restore_failed',
        orgId: run.org_id,
        actor: { type: 'system' },
        target: run.plan_id
          ? { type: 'backup_plan', id: run.plan_id }
          : { type: 'backup_repository', id: run.repository_id },
        result: 'failed',
        details: { run: run.id, code: e.code },
      });
    });
  }

  async function finishCheck(run: RunRow): Promise<void> {
    const repo = await backupsStore.repository(db, run.org_id, run.repository_id);
    if (!repo) throw notFound('The backup repository');
    const out = await runner.check(repo);
    const recipients = await deps.recipients(repo.org_id);
    await db.transaction().execute(async (trx) => {
      await backupsStore.updateRepository(trx, repo.id, {
        last_check_at: clock.iso(),
        last_check_status: out.ok ? 'ok' : 'failed',
        last_check_error: out.error,
        ...(out.storedBytes !== null ? { stored_bytes: out.storedBytes } : {}),
      });
      await backupsStore.updateRun(trx, run.id, {
        status: out.ok ? 'succeeded' : 'failed',
        result: JSON.stringify({ ok: out.ok }),
        error_code: out.code,
        error_message: out.error,
        finished_at: clock.iso(),
      });
      const kind = `backup_check:${repo.id}`;
      if (out.ok) await deps.alerts.resolve(repo.org_id, null, kind, trx);
      else {
        const damaged = out.code === 'STEWARD_BACKUP_REPOSITORY_DAMAGED';
        const alert = await deps.alerts.raise(
          {
            orgId: repo.org_id,
            serverId: null,
            kind,
            severity: damaged ? 'critical' : 'warning',
            title: damaged
              ? `The backup repository “${repo.name}” failed its check`
              : `The backup repository “${repo.name}” could not be checked`,
            details: { code: out.code, message: out.error },
          },
          trx,
        );
        await mail({
          trx,
          recipients,
          orgId: repo.org_id,
          template: 'backups.check_failed',
          key: `backup_check:${alert}`,
          vars: {
            repository: repo.name,
            at: clock.iso(),
            message: out.error ?? '',
            damaged: damaged ? 'yes' : 'no',
            url: consoleUrl(null),
          },
        });
      }
      await deps.audit.record(trx, {
        action: 'backup.checked',
        orgId: repo.org_id,
        actor: { type: 'system' },
        target: { type: 'backup_repository', id: repo.id },
        result: out.ok ? 'ok' : 'failed',
        details: { run: run.id },
      });
    });
  }
  deps.queue.register(QUEUE, handle, {
    timeoutMs: 13 * 3_600_000,
    limits: (job) => [
      { key: `backups:${job.orgId ?? ''}`, max: 4 },
      // A check (and its prune) holds restic's exclusive lock: it runs alone among the runs into its repository.
      ...(typeof job.payload.repositoryId === 'string'
        ? [{ key: `backups-repo:${job.payload.repositoryId}`, max: 4, exclusive: job.payload.kind === 'check' }]
        : []),
    ],
  });

  async function requestRestore(
    actor: Actor,
    orgId: string,
    input: RestoreInput,
    instruction: Instruction,
    ctx: RequestContext,
  ) {
    const point = await backupsStore.snapshot(db, orgId, input.snapshotId);
    if (!point) throw notFound('The restore point');
    const plan = await backupsStore.planById(db, point.plan_id);
    if (!plan) throw notFound('The restore point’s plan');
    const targetServerId = input.targetServerId ?? point.server_id;
    if (plan.kind === 'files') {
      if (input.database) throw invalidInput('database is for database restore points.', { field: 'database' });
      for (const p of input.paths ?? []) {
        assertPath(p, 'paths');
        const under = (JSON.parse(plan.paths) as string[]).some((root) => p === root || p.startsWith(`${root}/`));
        if (!under)
          throw invalidInput(
            `paths: ${p} is not in this restore point (it holds ${JSON.parse(plan.paths).join(', ')}).`,
            { field: 'paths' },
          );
      }
      if (input.into !== undefined) assertPath(input.into, 'into');
    } else if (input.paths || input.into)
      throw invalidInput('paths and into are for file restore points.', { field: 'paths' });
    const request = {
      snapshotId: point.id,
      targetServerId,
      database: input.database ?? plan.database ?? undefined,
      paths: input.paths,
      into: input.into,
      dryRun: input.dryRun === true,
    };
    return db.transaction().execute(async (trx) => {
      const run = await queueRun(
        trx,
        {
          org_id: orgId,
          kind: 'restore',
          plan_id: plan.id,
          repository_id: point.repository_id,
          server_id: targetServerId,
          dry_run: request.dryRun ? 1 : 0,
          request: JSON.stringify(request),
        },
        instruction,
      );
      await deps.audit.record(
        trx,
        {
          action: 'backup.restore_requested',
          orgId,
          actor: auditActor(actor),
          target: { type: 'server', id: targetServerId },
          details: {
            run: run.id,
            ...request,
            ...(instruction.type === 'staff_grant' ? { grant: instruction.id } : {}),
          },
        },
        ctx,
      );
      if (instruction.type === 'staff_grant')
        await deps.audit.record(
          trx,
          {
            action: 'grant.used',
            orgId,
            actor: auditActor(actor),
            target: { type: 'grant', id: instruction.id },
            details: { action: 'restore_backups', server: targetServerId, run: run.id, dryRun: request.dryRun },
          },
          ctx,
        );
      return runView(run);
    });
  }

  return {
    repositories,
    plans,
    runner,

    runNow: async (actor: Actor, orgId: string, planId: string, ctx: RequestContext) => {
      const plan = await plans.requirePlan(actor, orgId, planId, ctx);
      return startBackup(plan.id, userInstruction(actor.userId, ctx.requestId), actor, ctx);
    },

    /** A restore or its dry run, to the same or another server of the organisation (owners write, members look). */
    async restore(actor: Actor, orgId: string, input: RestoreInput, ctx: RequestContext) {
      const target = input.targetServerId ?? (await backupsStore.snapshot(db, orgId, input.snapshotId))?.server_id;
      if (!target) throw notFound('The restore point');
      await deps.servers.requireServer(actor, orgId, target, ctx, input.dryRun ? 'member' : 'owner');
      return requestRestore(actor, orgId, input, userInstruction(actor.userId, ctx.requestId), ctx);
    },

    /** Staff restoring under a grant: the grant must be active, cover the target server and allow restore_backups. */
    async restoreUnderGrant(actor: Actor, grantId: string, orgId: string, input: RestoreInput, ctx: RequestContext) {
      const target = input.targetServerId ?? (await backupsStore.snapshot(db, orgId, input.snapshotId))?.server_id;
      if (!target) throw notFound('The restore point');
      const { instruction } = await deps.grants.requireActiveGrant(
        actor,
        { kind: 'server', orgId, serverId: target, grantId },
        'restore_backups',
        ctx,
      );
      return requestRestore(actor, orgId, input, instruction, ctx);
    },

    async checkNow(actor: Actor, orgId: string, repositoryId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const repo = await repositories.requireRepository(orgId, repositoryId);
      return db.transaction().execute(async (trx) =>
        runView(
          await queueRun(
            trx,
            {
              org_id: orgId,
              kind: 'check',
              plan_id: null,
              repository_id: repo.id,
              server_id: null,
              dry_run: 0,
              request: '{}',
            },
            userInstruction(actor.userId, ctx.requestId),
          ),
        ),
      );
    },

    async runs(
      actor: Actor,
      orgId: string,
      filter: { planId?: string; serverId?: string; limit: number },
      ctx: RequestContext,
    ) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await backupsStore.runs(db, orgId, filter)).map(runView);
    },
    async run(actor: Actor, orgId: string, runId: string, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const row = await backupsStore.run(db, runId);
      if (!row || row.org_id !== orgId) throw notFound('The backup run');
      return runView(row);
    },
    async restorePoints(
      actor: Actor,
      orgId: string,
      filter: { planId?: string; serverId?: string; limit: number },
      ctx: RequestContext,
    ) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return (await backupsStore.snapshots(db, orgId, filter)).map(pointView);
    },

    /** Per plan of a server: the last good backup (size, duration), the last failure and the restore points. */
    async serverSummary(actor: Actor, orgId: string, serverId: string, ctx: RequestContext) {
      await deps.servers.requireServer(actor, orgId, serverId, ctx);
      const rows = await backupsStore.plans(db, orgId, serverId);
      const points = await backupsStore.snapshots(db, orgId, { serverId, limit: 500 });
      const runs = await backupsStore.runs(db, orgId, { serverId, limit: 200 });
      return rows.map((p) => {
        const lastGood = runs.find((r) => r.plan_id === p.id && r.kind === 'backup' && r.status === 'succeeded');
        const lastRun = runs.find((r) => r.plan_id === p.id && r.kind === 'backup');
        return {
          plan: plans.view(p),
          lastGood: lastGood
            ? {
                runId: lastGood.id,
                at: lastGood.finished_at,
                sizeBytes: Number(lastGood.bytes_read),
                addedBytes: Number(lastGood.bytes_added),
                durationMs: lastGood.duration_ms,
              }
            : null,
          lastRun: lastRun ? runView(lastRun) : null,
          late: isLate(p, clock.nowMs()),
          restorePoints: points.filter((s) => s.plan_id === p.id).map(pointView),
        };
      });
    },

    // For other modules (invoices, recommendations): no actor, no audit
    /** Deduplicated bytes the organisation's repositories hold (as restic counts them after each run). */
    async storageBytes(orgId: string): Promise<number> {
      return Number((await backupsStore.storedBytesByOrg(db, orgId))?.bytes ?? 0);
    },
    /** Whether a server (or one of its databases) has a backup plan that is switched on. */
    async hasPlan(orgId: string, serverId: string, database?: string): Promise<boolean> {
      const rows = await backupsStore.plans(db, orgId, serverId);
      return rows.some((p) => p.enabled === 1 && (database === undefined || p.database === database));
    },

    /** Standing work: start due plans (each once per interval across workers). */
    async runDuePlans(): Promise<number> {
      let started = 0;
      for (const due of await backupsStore.duePlans(db, clock.iso(), 100)) {
        const next = new Date(
          Math.max(Date.parse(due.next_run_at) + due.interval_minutes * 60_000, clock.nowMs() + 1000),
        ).toISOString();
        if (!(await backupsStore.claimPlan(db, due.id, due.next_run_at, next))) continue;
        const server = await deps.servers.rowById(due.server_id);
        if (!server || server.status !== 'ready') continue;
        await startBackup(due.id, { type: 'schedule', id: due.id, actorId: due.set_by }, null, {}).then(
          () => started++,
          (err: unknown) => logger.warn({ plan: due.id, err: (err as Error).message }, 'scheduled backup not started'),
        );
      }
      return started;
    },

    /** Standing work: a plan with no good backup for two intervals raises an alert and mails once. */
    async flagLate(): Promise<number> {
      let flagged = 0;
      for (const p of await backupsStore.enabledPlans(db)) {
        if (!isLate(p, clock.nowMs())) continue;
        const server = await deps.servers.rowById(p.server_id);
        const recipients = await deps.recipients(p.org_id);
        await db.transaction().execute(async (trx) => {
          const alert = await deps.alerts.raise(
            {
              orgId: p.org_id,
              serverId: p.server_id,
              kind: `backup_late:${p.id}`,
              severity: 'warning',
              title: `${server?.name ?? 'A server'}: no good backup of “${p.name}” for two intervals`,
              details: { lastOkAt: p.last_ok_at },
            },
            trx,
          );
          await mail({
            trx,
            recipients,
            orgId: p.org_id,
            template: 'backups.late',
            key: `backup_late:${alert}`,
            vars: {
              server: server?.name ?? p.server_id,
              plan: p.name,
              since: p.last_ok_at ?? `its creation (${p.created_at})`,
              every: `${p.interval_minutes} minutes`,
              url: consoleUrl(p.server_id),
            },
          });
        });
        flagged++;
      }
      return flagged;
    },

    /** Standing work: verify each repository once per check interval. */
    async checkDueRepositories(): Promise<number> {
      let queued = 0;
      for (const repo of await backupsStore.allRepositories(db)) {
        if (!repo.initialised_at) continue;
        if (repo.last_check_at && clock.nowMs() - Date.parse(repo.last_check_at) < deps.config.backups.checkEveryMs)
          continue;
        await backupsStore.updateRepository(db, repo.id, { last_check_at: clock.iso() });
        await db.transaction().execute((trx) =>
          queueRun(
            trx,
            {
              org_id: repo.org_id,
              kind: 'check',
              plan_id: null,
              repository_id: repo.id,
              server_id: null,
              dry_run: 0,
              request: '{}',
            },
            { type: 'system', id: null, actorId: null },
          ),
        );
        queued++;
      }
      return queued;
    },
  };
}

export type Backups = ReturnType<typeof registerBackups>;
export { BACKUP_KEYS_SEALED, BACKUP_PLANS_SEALED, BACKUP_REPOSITORIES_SEALED } from './backups.store.js';
export { PLAN_KINDS, DB_AUTH } from './backups.types.js';
