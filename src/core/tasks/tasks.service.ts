import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, isAppError, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import { runSteps, type Argv, type StepOutcome } from '../../remote/index.js';
import { auditActor, type Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { instructionFromPayload, instructionPayload, userInstruction, type Instruction } from '../instruction.js';
import type { JobContext, Queue } from '../jobs/queue.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServerRecord as ServerRow, ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { HostOutput } from './output.js';
import type { Recipe, TaskContext } from './recipe.js';
import { RECIPES } from './recipes/index.js';
import { serverSecrets } from './secrets.js';
import { runView, type RunView } from './tasks.view.js';
import { FINISHED, tasksStore, type RunRow } from './tasks.store.js';

export interface TasksDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly vault: Pick<Vault, 'seal' | 'openText'>;
  readonly audit: Pick<AuditService, 'record' | 'recordAlone'>;
  readonly orgs: Pick<OrgsService, 'requireMember'>;
  readonly queue: Queue;
  readonly servers: Pick<ServersService, 'rowsFor' | 'allRows' | 'rowById'>;
  readonly gateway: () => ServerGateway;
  readonly recipes?: ReadonlyMap<string, Recipe<any>>;
  readonly orgPublicKey?: (orgId: string) => Promise<{ publicKey: string }>;
}

/** One server's part of a run of another module's kind; returns how it went (its output goes through `log`). */
export type KindRunner = (args: {
  readonly session: import('../../remote/index.js').RemoteSession;
  readonly server: ServerRow;
  readonly runId: string;
  readonly params: Record<string, unknown>;
  readonly instruction: Instruction;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
}) => Promise<{ status: 'changed' | 'unchanged' | 'succeeded' | 'failed'; steps: string; exit_code: number | null; error: string | null }>;

export interface ServerSelection {
  readonly serverIds?: readonly string[];
  readonly all?: boolean;
}

const HOST_QUEUE = 'tasks.host';
const COMMAND_TIMEOUT_MAX_S = 3600;

/**
 * Tasks: a recipe or an ad-hoc command run on many servers. Each server is its own job (so work spreads over
 * workers and a crash loses one host's run, not the fan-out), with live output and a recorded outcome per step.
 */
export function createTasksService(deps: TasksDeps) {
  const { db, clock } = deps;
  const recipes = deps.recipes ?? RECIPES;

  async function selectServers(orgId: string, sel: ServerSelection): Promise<ServerRow[]> {
    const rows = sel.all ? await deps.servers.allRows(orgId) : await deps.servers.rowsFor(orgId, sel.serverIds ?? []);
    if (!sel.all) {
      const missing = (sel.serverIds ?? []).filter((id) => !rows.some((r) => r.id === id));
      if (missing.length > 0) throw notFound(`Server ${missing[0]}`);
    }
    const usable = rows.filter((r) => r.status === 'ready');
    if (usable.length === 0) throw new AppError('STEWARD_CONFLICT', 'None of the selected servers is ready (enrolled and not blocked).');
    if (!sel.all && usable.length < rows.length) {
      const notReady = rows.find((r) => r.status !== 'ready')!;
      throw new AppError('STEWARD_CONFLICT', `${notReady.name} is ${notReady.status}; only ready servers can run tasks.`);
    }
    return usable;
  }

  /** Creates a run, one host row and one job per server, and the audit entry, in one transaction. */
  async function startRun(orgId: string, servers: ServerRow[], run: Pick<RunRow, 'kind' | 'recipe' | 'params' | 'command'>, instruction: Instruction, ctx: RequestContext): Promise<RunView> {
    const id = newId('run', clock.nowMs());
    const row: RunRow = { ...run, id, org_id: orgId, status: 'running', requested_by: instruction.actorId, instruction_type: instruction.type, instruction_id: instruction.id, total: servers.length, created_at: clock.iso(), finished_at: null };
    const actor = instruction.actorId ? { type: 'user' as const, id: instruction.actorId } : { type: 'system' as const };
    await db.transaction().execute(async (trx) => {
      await tasksStore.insertRun(trx, row);
      for (const server of servers) {
        await tasksStore.insertHost(trx, { id: newId('run', clock.nowMs()), run_id: id, org_id: orgId, server_id: server.id, status: 'queued', steps: '[]', exit_code: null, error: null, started_at: null, finished_at: null });
        await deps.queue.enqueue(trx, { queue: HOST_QUEUE, orgId, payload: { runId: id, serverId: server.id, ...instructionPayload(instruction) }, maxAttempts: 1 });
      }
      await deps.audit.record(trx, { action: 'task.started', orgId, actor, target: { type: 'task_run', id }, details: { kind: run.kind, recipe: run.recipe, command: run.command ? JSON.parse(run.command) : null, servers: servers.map((x) => x.id), instruction: instruction.type } }, ctx);
    });
    return getRunView(orgId, id);
  }

  /** Runs of other kinds (discovery): the module that owns the kind runs each server's part. */
  const kinds = new Map<string, KindRunner>();

  function defineKind(kind: RunRow['kind'], runner: KindRunner): void {
    kinds.set(kind, runner);
  }

  async function startKindRun(orgId: string, sel: ServerSelection, kind: RunRow['kind'], params: Record<string, unknown>, instruction: Instruction, ctx: RequestContext): Promise<RunView> {
    if (!kinds.has(kind)) throw new AppError('STEWARD_INTERNAL', `No runner for ${kind} runs.`);
    return startRun(orgId, await selectServers(orgId, sel), { kind, recipe: null, params: JSON.stringify(params), command: null }, instruction, ctx);
  }

  async function runRecipe(actor: Actor, orgId: string, input: { recipe: string; params: unknown } & ServerSelection, ctx: RequestContext): Promise<RunView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    const recipe = recipes.get(input.recipe);
    if (!recipe) throw invalidInput(`There is no recipe "${input.recipe}". Recipes: ${[...recipes.keys()].join(', ')}.`, { field: 'recipe' });
    // Recipes that install a login key default to the organisation's own (what Steward logs in with).
    const given = { ...(input.params as Record<string, unknown> | undefined) };
    if (recipe.id === 'initial-setup' && given.authorizedKey === undefined && deps.orgPublicKey) given.authorizedKey = (await deps.orgPublicKey(orgId)).publicKey;
    const parsed = recipe.params.safeParse(given);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidInput(`params.${issue.path.join('.')}: ${issue.message}`, { field: 'params' });
    }
    const servers = await selectServers(orgId, input);
    return startRun(orgId, servers, { kind: 'recipe', recipe: recipe.id, params: JSON.stringify(parsed.data), command: null }, userInstruction(actor.userId, ctx.requestId), ctx);
  }

  async function runCommand(actor: Actor, orgId: string, input: { argv: readonly string[]; timeoutSeconds?: number } & ServerSelection, ctx: RequestContext): Promise<RunView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    if (input.argv.length === 0) throw invalidInput('Give the command to run as a list of words.', { field: 'argv' });
    const timeout = Math.min(input.timeoutSeconds ?? 600, COMMAND_TIMEOUT_MAX_S);
    const servers = await selectServers(orgId, input);
    return startRun(orgId, servers, { kind: 'command', recipe: null, params: JSON.stringify({ timeoutSeconds: timeout }), command: JSON.stringify(input.argv) }, userInstruction(actor.userId, ctx.requestId), ctx);
  }

  async function runHostRecipe(ctx: TaskContext, recipe: Recipe<any>, params: unknown, out: HostOutput): Promise<{ status: 'changed' | 'unchanged' | 'failed'; steps: StepOutcome[]; error: string | null }> {
    const result = await runSteps(recipe.steps(params), ctx, {
      onStepStart: (s) => out.log(`▶ ${s.description}`),
      onStep: (o) => out.log(`${o.status === 'failed' ? '✗' : o.status === 'changed' ? '✓ changed' : '= unchanged'}: ${o.description} (${o.durationMs} ms)`),
    });
    const steps = result.outcomes.map((o) => ({ ...o, error: o.error === undefined ? undefined : String((o.error as Error)?.message ?? o.error) }));
    if (!result.ok) return { status: 'failed', steps, error: steps.at(-1)?.error ?? 'a step failed' };
    const changed = result.outcomes.some((o) => o.status === 'changed');
    out.log(changed ? 'Done: changes were made.' : 'Done: nothing needed changing.');
    return { status: changed ? 'changed' : 'unchanged', steps, error: null };
  }

  /** Job: one server's part of a run. */
  async function runHost(job: JobContext): Promise<void> {
    const runId = String(job.payload.runId);
    const serverId = String(job.payload.serverId);
    const run = await tasksStore.runAnyOrg(db, runId);
    const host = run ? await tasksStore.host(db, runId, serverId) : undefined;
    if (!run || !host || run.org_id !== job.orgId || FINISHED.includes(host.status)) return;
    // A host left "running" by a crashed worker is failed rather than run again: steps may have been applied.
    if (!(await tasksStore.claimHost(db, host.id, 'queued', clock.iso()))) {
      if (host.status === 'running') await finishHost(run, host.id, { status: 'failed', steps: host.steps, exit_code: null, error: 'The worker running this server’s part stopped; run the task again (recipes check before changing anything).' });
      return;
    }
    const server = await deps.servers.rowById(serverId);
    const out = new HostOutput(db, clock, runId, serverId, await tasksStore.lastSeq(db, runId, serverId));
    const instruction = instructionFromPayload(job.payload);
    let patch: { status: 'changed' | 'unchanged' | 'succeeded' | 'failed'; steps: string; exit_code: number | null; error: string | null };
    try {
      if (!server || server.org_id !== run.org_id) throw notFound('The server');
      const label = run.kind === 'recipe' ? `task:${run.recipe}` : run.kind === 'command' ? 'task:command' : run.kind;
      patch = await deps.gateway().withServer(server, instruction, label, async (session) => {
        const decoder = { out: new TextDecoder(), err: new TextDecoder() };
        const streamed = { onStdout: (c: Buffer) => out.write('stdout', decoder.out.decode(c, { stream: true })), onStderr: (c: Buffer) => out.write('stderr', decoder.err.decode(c, { stream: true })), signal: job.signal };
        const runner = kinds.get(run.kind);
        if (runner) return runner({ session, server, runId: run.id, params: JSON.parse(run.params) as Record<string, unknown>, instruction, log: (line) => out.log(line), signal: job.signal });
        if (run.kind === 'command') {
          const argv = JSON.parse(run.command!) as string[];
          const { timeoutSeconds } = JSON.parse(run.params) as { timeoutSeconds: number };
          const res = await session.exec(argv, { ...streamed, timeoutMs: timeoutSeconds * 1000, acceptExitCodes: Array.from({ length: 256 }, (_, i) => i) });
          return { status: res.exitCode === 0 ? 'succeeded' : 'failed', steps: '[]', exit_code: res.exitCode, error: res.exitCode === 0 ? null : `exited with status ${res.exitCode}` };
        }
        const recipe = recipes.get(run.recipe!);
        if (!recipe) throw new AppError('STEWARD_CONFLICT', `The recipe ${run.recipe} no longer exists.`);
        const ctx: TaskContext = {
          session, orgId: run.org_id, server: { id: server.id, name: server.name, address: server.address, username: server.username },
          isRoot: server.username === 'root', log: (line) => out.log(line),
          run: (argv: Argv, opts = {}) => session.exec(argv, { ...streamed, ...opts }),
          privileged: (argv: Argv) => (server.username === 'root' ? argv : ['sudo', '-n', '--', ...argv]),
          secrets: serverSecrets(deps, run.org_id, server.id, 'task'),
        };
        const r = await runHostRecipe(ctx, recipe, JSON.parse(run.params), out);
        return { status: r.status, steps: JSON.stringify(r.steps), exit_code: null, error: r.error };
      });
    } catch (err) {
      const message = isAppError(err) ? err.message : 'The task failed unexpectedly on this server.';
      if (!isAppError(err)) deps.logger.error({ runId, serverId, err: (err as Error)?.message }, 'task host failed');
      out.log(`✗ ${message}`);
      patch = { status: 'failed', steps: '[]', exit_code: null, error: message.slice(0, 500) };
    }
    await out.flush();
    await finishHost(run, host.id, patch);
  }

  async function finishHost(run: RunRow, hostId: string, patch: { status: 'changed' | 'unchanged' | 'succeeded' | 'failed'; steps: string; exit_code: number | null; error: string | null }): Promise<void> {
    await tasksStore.finishHost(db, hostId, { ...patch, finished_at: clock.iso() });
    if ((await tasksStore.unfinishedCount(db, run.id)) > 0) return;
    const hosts = await tasksStore.hosts(db, run.id);
    const failed = hosts.filter((h) => h.status === 'failed').length;
    const status = failed === 0 ? 'succeeded' : failed === hosts.length ? 'failed' : 'partial';
    await db.transaction().execute(async (trx) => {
      if (!(await tasksStore.finishRun(trx, run.id, status, clock.iso()))) return;
      await deps.audit.record(trx, { action: 'task.finished', orgId: run.org_id, actor: { type: 'system' }, target: { type: 'task_run', id: run.id }, result: status === 'succeeded' ? 'ok' : 'failed', details: { status, failed, total: hosts.length, changed: hosts.filter((h) => h.status === 'changed').length } });
    });
  }

  async function getRunView(orgId: string, id: string): Promise<RunView> {
    const run = await tasksStore.run(db, orgId, id);
    if (!run) throw notFound('The task run');
    return runView(run, await tasksStore.hosts(db, id));
  }

  return {
    runRecipe,
    runCommand,
    runHost,
    defineKind,
    startKindRun,
    selectServers,
    HOST_QUEUE,
    recipes: () => [...recipes.values()].map((r) => ({ id: r.id, title: r.title, description: r.description, kind: r.kind })),
    async getRun(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<RunView> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return getRunView(orgId, id);
    },
    async listRuns(actor: Actor, orgId: string, filter: { limit: number; serverId?: string }, ctx: RequestContext): Promise<RunView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const runs = await tasksStore.runs(db, orgId, filter.limit, filter.serverId);
      return Promise.all(runs.map(async (r) => runView(r, await tasksStore.hosts(db, r.id))));
    },
    /** Output after a cursor (per server, the last sequence number seen), for polling and streaming. */
    async output(actor: Actor, orgId: string, id: string, cursor: Record<string, number>, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const run = await tasksStore.run(db, orgId, id);
      if (!run) throw notFound('The task run');
      const hosts = await tasksStore.hosts(db, id);
      const entries = [];
      const next: Record<string, number> = { ...cursor };
      for (const h of hosts) {
        const rows = await tasksStore.outputAfter(db, id, h.server_id, cursor[h.server_id] ?? 0, 500);
        for (const r of rows) entries.push({ serverId: r.server_id, seq: r.seq, stream: r.stream, data: r.data, at: r.at });
        if (rows.length > 0) next[h.server_id] = rows.at(-1)!.seq;
      }
      entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      return { entries, cursor: next, finished: run.finished_at !== null, view: runView(run, hosts) };
    },
  };
}

export type TasksService = ReturnType<typeof createTasksService>;
export type { Instruction };
