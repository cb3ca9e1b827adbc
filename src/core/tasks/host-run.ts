import type { AutomationStanding } from '../standing.js';
import type { Db } from '../../db/database.js';
import { isTransient, retryTransient } from '../../db/retry.js';
import type { Clock } from '../../kernel/clock.js';
import type { ClusterConfig } from '../../kernel/config.js';
import { AppError, isAppError, notFound, publicMessage } from '../../kernel/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { Argv, RemoteSession } from '../../remote/index.js';
import type { AuditService } from '../audit/audit.service.js';
import { instructionFromPayload, type Instruction } from '../instruction.js';
import { LeaseLost, WorkerStopping, type JobContext, type JobLimit, type Queue } from '../jobs/queue.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServerRecord, ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { HostTakenOver, runRecordedSteps, type RecordedStep, type Resume } from './host-steps.js';
import { HostOutput } from './output.js';
import type { Recipe, TaskContext } from './recipe.js';
import { serverSecrets } from './secrets.js';
import { tasksStore, type HostRow, type RunRow } from './tasks.store.js';

type Outcome = {
  status: 'changed' | 'unchanged' | 'succeeded' | 'failed';
  steps: string;
  exit_code: number | null;
  error: string | null;
};

/** One server's part of a run of another module's kind; returns how it went (its output goes through `log`). */
export type KindRunner = (args: {
  readonly session: RemoteSession;
  readonly server: ServerRecord;
  readonly runId: string;
  readonly params: Record<string, unknown>;
  readonly instruction: Instruction;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}) => Promise<Outcome>;

/** What running a host job needs (a subset of the tasks service's deps). */
export interface HostRunDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record'>;
  readonly queue: Pick<Queue, 'get'>;
  readonly servers: Pick<ServersService, 'rowById'>;
  readonly gateway: () => ServerGateway;
  /** A suspended organisation's queued parts do not start (trust). */
  readonly standing?: Pick<AutomationStanding, 'suspension'>;
}

/** The sweep leaves runs younger than this alone: their jobs are still being tried. */
const SWEEP_MIN_AGE_MS = 2 * 60_000;

/**
 * One server's part of a run, as a job: claim the host for this job attempt, run the recipe's steps (recording
 * each), the command, or another module's kind, and record the outcome. If the job comes back after its worker
 * died, the next attempt takes the host over and resumes (see host-steps.ts); the run finishes when its last host
 * does. Every write is fenced on the attempt's claim, so a worker presumed dead that wakes up stops at its next
 * write instead of racing the one that took over.
 */
export function createHostRun(
  deps: HostRunDeps,
  recipes: ReadonlyMap<string, Recipe>,
  kinds: ReadonlyMap<string, KindRunner>,
) {
  const { db, clock } = deps;

  async function runHost(job: JobContext): Promise<void> {
    const runId = String(job.payload.runId);
    const serverId = String(job.payload.serverId);
    const run = await tasksStore.runAnyOrg(db, runId);
    const host = run ? await tasksStore.host(db, runId, serverId) : undefined;
    if (!run || !host || run.org_id !== job.orgId) return;
    const token = `${job.worker}#${job.attempt}`;
    if (!(await tasksStore.claimHost(db, host, token, clock.iso()))) return;
    const suspended = host.status === 'queued' ? await deps.standing?.suspension(run.org_id) : undefined;
    if (suspended) {
      const out = new HostOutput(db, clock, runId, serverId, await tasksStore.lastSeq(db, runId, serverId));
      const message = `The organisation is suspended (${suspended.reason}); this server’s part did not start.`;
      out.log(`✗ ${message}`);
      await out.flush();
      await finishHost(run, host.id, { status: 'failed', steps: '[]', exit_code: null, error: message }, token);
      return;
    }
    const resume: Resume | undefined =
      host.status === 'running'
        ? { done: JSON.parse(host.steps) as RecordedStep[], applying: host.applying }
        : undefined;
    const out = new HostOutput(db, clock, runId, serverId, await tasksStore.lastSeq(db, runId, serverId));
    if (resume)
      out.log(`↻ Resumed by another worker (attempt ${job.attempt}): the one running this server’s part stopped.`);
    const fenced = async (patch: Partial<Pick<HostRow, 'steps' | 'applying'>>) => {
      if (!(await tasksStore.recordProgress(db, host.id, token, patch))) throw new HostTakenOver();
    };
    let patch: Outcome;
    try {
      patch = await runOnServer({ job, run, serverId, out, resume, fenced });
    } catch (err) {
      if (err instanceof HostTakenOver) {
        await out.flush();
        return;
      }
      // The worker is stopping (or lost the job's lease): the host keeps its progress for the next holder.
      if (job.signal.reason instanceof WorkerStopping || job.signal.reason instanceof LeaseLost) {
        out.log('⏸ This worker stopped here; another continues this server’s part.');
        await out.flush();
        throw job.signal.reason;
      }
      // The database was only busy (after the store's own retries): the job is tried again and resumes here.
      if (isTransient(err)) {
        deps.logger.warn({ runId, serverId, err: (err as Error)?.message }, 'database busy; host part tried again');
        await out.flush().catch(() => undefined);
        throw err;
      }
      const message = isAppError(err) ? publicMessage(err) : 'The task failed unexpectedly on this server.';
      if (!isAppError(err)) deps.logger.error({ runId, serverId, err: (err as Error)?.message }, 'task host failed');
      out.log(`✗ ${message}`);
      patch = {
        status: 'failed',
        steps: resume ? JSON.stringify(resume.done) : '[]',
        exit_code: null,
        error: message.slice(0, 500),
      };
    }
    await out.flush();
    await finishHost(run, host.id, patch, token);
  }

  async function runOnServer(input: {
    readonly job: JobContext;
    readonly run: RunRow;
    readonly serverId: string;
    readonly out: HostOutput;
    readonly resume: Resume | undefined;
    readonly fenced: (patch: Partial<Pick<HostRow, 'steps' | 'applying'>>) => Promise<void>;
  }): Promise<Outcome> {
    const { job, run, serverId, out, resume, fenced } = input;
    const server = await deps.servers.rowById(serverId);
    if (!server || server.org_id !== run.org_id) throw notFound('The server');
    const instruction = instructionFromPayload(job.payload);
    const label = run.kind === 'recipe' ? `task:${run.recipe}` : run.kind === 'command' ? 'task:command' : run.kind;
    return deps.gateway().withServer(server, instruction, label, async (session) => {
      const decoder = { out: new TextDecoder(), err: new TextDecoder() };
      const streamed = {
        onStdout: (c: Buffer) => out.write('stdout', decoder.out.decode(c, { stream: true })),
        onStderr: (c: Buffer) => out.write('stderr', decoder.err.decode(c, { stream: true })),
        signal: job.signal,
      };
      const runner = kinds.get(run.kind);
      // Other modules' kinds (discovery) only read the server, so a resumed attempt simply runs again.
      if (runner)
        return runner({
          session,
          server,
          runId: run.id,
          params: JSON.parse(run.params) as Record<string, unknown>,
          instruction,
          log: (line) => out.log(line),
          signal: job.signal,
        });
      if (run.kind === 'command') {
        // A command is one step that may change anything: started once, never started again.
        if (resume?.applying === 'command')
          throw new AppError(
            'STEWARD_TASK_INTERRUPTED',
            'The worker stopped while the command was running, so Steward cannot tell whether it finished; it was not run again. Check the server, then run it again if needed.',
          );
        const argv = JSON.parse(run.command!) as string[];
        const { timeoutSeconds } = JSON.parse(run.params) as { timeoutSeconds: number };
        await fenced({ applying: 'command' });
        const res = await session.exec(argv, {
          ...streamed,
          timeoutMs: timeoutSeconds * 1000,
          acceptExitCodes: Array.from({ length: 256 }, (_, i) => i),
        });
        return {
          status: res.exitCode === 0 ? 'succeeded' : 'failed',
          steps: '[]',
          exit_code: res.exitCode,
          error: res.exitCode === 0 ? null : `exited with status ${res.exitCode}`,
        };
      }
      const recipe = recipes.get(run.recipe!);
      if (!recipe) throw new AppError('STEWARD_CONFLICT', `The recipe ${run.recipe} no longer exists.`);
      const ctx: TaskContext = {
        session,
        orgId: run.org_id,
        server: { id: server.id, name: server.name, address: server.address, username: server.username },
        isRoot: server.username === 'root',
        log: (line) => out.log(line),
        run: (argv: Argv, opts = {}) => session.exec(argv, { ...streamed, ...opts }),
        privileged: (argv: Argv) => (server.username === 'root' ? argv : ['sudo', '-n', '--', ...argv]),
        secrets: serverSecrets(deps, run.org_id, server.id, 'task'),
      };
      const result = await runRecordedSteps(recipe.steps(JSON.parse(run.params)), ctx, {
        kind: recipe.kind,
        resume,
        log: (line) => out.log(line),
        clock,
        signal: job.signal,
        record: {
          applying: (stepId) => fenced({ applying: stepId }),
          done: (steps) => fenced({ steps: JSON.stringify(steps), applying: null }),
        },
      });
      const steps = JSON.stringify(result.steps);
      if (!result.ok)
        return { status: 'failed', steps, exit_code: null, error: result.steps.at(-1)?.error ?? 'a step failed' };
      const changed = result.steps.some((s) => s.status === 'changed');
      out.log(changed ? 'Done: changes were made.' : 'Done: nothing needed changing.');
      return { status: changed ? 'changed' : 'unchanged', steps, exit_code: null, error: null };
    });
  }

  /**
   * Records a host's outcome (fenced on `token` unless the sweep closes it) and closes the run after its last host.
   * Both writes are retried while the database is only busy, so a busy cluster delays an outcome, never loses it.
   */
  async function finishHost(run: RunRow, hostId: string, patch: Outcome, token: string | null): Promise<void> {
    const at = clock.iso();
    const recorded = await retryTransient(
      () => tasksStore.finishHost(db, hostId, { ...patch, finished_at: at }, token),
      {
        onRetry: busyRetry('host outcome', run.id),
      },
    );
    if (recorded) await closeRunIfDone(run);
  }

  /**
   * Closes a run once every host is final: idempotent (the update is conditional on `running`, so of several
   * callers one closes it and writes `task.finished`), retried while the database is busy. Called after each host,
   * by the sweep, and by any read that meets a run still `running` with no host left running.
   */
  async function closeRunIfDone(run: Pick<RunRow, 'id' | 'org_id'>): Promise<boolean> {
    return retryTransient(
      async () => {
        if (await tasksStore.hasUnfinished(db, run.id)) return false;
        const hosts = await tasksStore.hosts(db, run.id);
        const failed = hosts.filter((h) => h.status === 'failed').length;
        const status = failed === 0 ? 'succeeded' : failed === hosts.length ? 'failed' : 'partial';
        return db.transaction().execute(async (trx) => {
          if (!(await tasksStore.finishRun(trx, run.id, status, clock.iso()))) return false;
          await deps.audit.record(trx, {
            action: 'task.finished',
            orgId: run.org_id,
            actor: { type: 'system' },
            target: { type: 'task_run', id: run.id },
            result: status === 'succeeded' ? 'ok' : 'failed',
            details: {
              status,
              failed,
              total: hosts.length,
              changed: hosts.filter((h) => h.status === 'changed').length,
            },
          });
          return true;
        });
      },
      { onRetry: busyRetry('run close', run.id) },
    );
  }

  const busyRetry = (what: string, runId: string) => (err: unknown, attempt: number) =>
    deps.logger.warn({ runId, attempt, err: (err as Error)?.message }, `database busy; ${what} tried again`);

  /**
   * Closes hosts whose job gave up (every attempt's worker died) or vanished, so their runs finish. Runs once a
   * minute across the cluster (a cluster schedule).
   */
  async function sweepAbandoned(): Promise<number> {
    let closed = 0;
    for (const host of await tasksStore.unfinishedBefore(
      db,
      new Date(clock.nowMs() - SWEEP_MIN_AGE_MS).toISOString(),
      200,
    )) {
      const job = await deps.queue.get(host.job_id!);
      if (job && job.status !== 'failed') continue;
      const run = await tasksStore.runAnyOrg(db, host.run_id);
      if (!run) continue;
      const error = job
        ? `The job for this server gave up after ${job.attempts} attempts (${job.lastError ?? 'its workers stopped'}).`
        : 'The job for this server no longer exists.';
      await finishHost(
        run,
        host.id,
        { status: 'failed', steps: host.steps, exit_code: null, error: error.slice(0, 500) },
        null,
      );
      closed++;
    }
    // Runs whose every host is final but which were never closed (their closer died or gave up): closed now.
    for (const run of await tasksStore.strandedRuns(db, 200)) if (await closeRunIfDone(run)) closed++;
    return closed;
  }

  /** The caps a host job takes: its organisation's and its server's, across every worker. */
  function hostLimits(
    job: Pick<JobContext, 'payload' | 'orgId'>,
    cluster: Pick<ClusterConfig, 'perOrg' | 'perServer'>,
  ): JobLimit[] {
    const limits: JobLimit[] = [{ key: `server:${String(job.payload.serverId)}`, max: cluster.perServer }];
    if (job.orgId) limits.unshift({ key: `org:${job.orgId}`, max: cluster.perOrg });
    return limits;
  }

  return { runHost, sweepAbandoned, closeRunIfDone, hostLimits };
}
