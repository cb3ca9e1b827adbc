import type { AutomationStanding } from '../standing.js';
import type { Db } from '../../db/database.js';
import type { Clock } from '../../kernel/clock.js';
import { AppError, invalidInput, notFound } from '../../kernel/errors.js';
import { newId } from '../../kernel/ids.js';
import type { Logger } from '../../kernel/logger.js';
import type { Actor } from '../actor.js';
import type { AuditService, RequestContext } from '../audit/audit.service.js';
import { instructionPayload, userInstruction, type Instruction } from '../instruction.js';
import type { Queue } from '../jobs/queue.js';
import type { OrgsService } from '../orgs/orgs.service.js';
import type { ServerGateway } from '../servers/gateway.js';
import type { ServerRecord as ServerRow, ServersService } from '../servers/servers.service.js';
import type { Vault } from '../vault/vault.service.js';
import { createHostRun, type KindRunner } from './host-run.js';
import type { Recipe } from './recipe.js';
import { RECIPES } from './recipes/index.js';
import { runView, type RunView } from './tasks.view.js';
import { FINISHED, tasksStore, type HostRow, type RunRow } from './tasks.store.js';

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
  readonly recipes?: ReadonlyMap<string, Recipe>;
  readonly orgPublicKey?: (orgId: string) => Promise<{ publicKey: string }>;
  /** No run starts for a suspended organisation, and its queued parts do not start (trust). */
  readonly standing?: AutomationStanding;
}

export type { KindRunner } from './host-run.js'; // cluster: moved beside the host job that runs it

export interface ServerSelection {
  readonly serverIds?: readonly string[];
  readonly all?: boolean;
}

const HOST_QUEUE = 'tasks.host';
/** Attempts of a host job: a worker dying mid-host costs one; the next attempt resumes (see host-run.ts). */
const HOST_ATTEMPTS = 5;
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
    if (usable.length === 0)
      throw new AppError('STEWARD_CONFLICT', 'None of the selected servers is ready (enrolled and not blocked).');
    if (!sel.all && usable.length < rows.length) {
      const notReady = rows.find((r) => r.status !== 'ready')!;
      throw new AppError(
        'STEWARD_CONFLICT',
        `${notReady.name} is ${notReady.status}; only ready servers can run tasks.`,
      );
    }
    return usable;
  }

  /** Creates a run, one host row and one job per server, and the audit entry, in one transaction. */
  async function startRun(
    orgId: string,
    servers: ServerRow[],
    run: Pick<RunRow, 'kind' | 'recipe' | 'params' | 'command'>,
    instruction: Instruction,
    ctx: RequestContext,
  ): Promise<RunView> {
    await deps.standing?.requireActive(orgId, 'running tasks');
    const id = newId('run', clock.nowMs());
    const row: RunRow = {
      ...run,
      id,
      org_id: orgId,
      status: 'running',
      requested_by: instruction.actorId,
      instruction_type: instruction.type,
      instruction_id: instruction.id,
      total: servers.length,
      created_at: clock.iso(),
      finished_at: null,
    };
    const actor = instruction.actorId
      ? { type: instruction.type === 'staff_grant' ? ('staff' as const) : ('user' as const), id: instruction.actorId }
      : { type: 'system' as const };
    await db.transaction().execute(async (trx) => {
      await tasksStore.insertRun(trx, row);
      for (const server of servers) {
        // cluster: several attempts, so a host whose worker died is resumed by another (host-run.ts).
        const jobId = await deps.queue.enqueue(trx, {
          queue: HOST_QUEUE,
          orgId,
          payload: { runId: id, serverId: server.id, ...instructionPayload(instruction) },
          maxAttempts: HOST_ATTEMPTS,
        });
        await tasksStore.insertHost(trx, {
          id: newId('run', clock.nowMs()),
          run_id: id,
          org_id: orgId,
          server_id: server.id,
          status: 'queued',
          steps: '[]',
          exit_code: null,
          error: null,
          started_at: null,
          finished_at: null,
          claimed_by: null,
          applying: null,
          job_id: jobId,
        });
      }
      await deps.audit.record(
        trx,
        {
          action: 'task.started',
          orgId,
          actor,
          target: { type: 'task_run', id },
          details: {
            kind: run.kind,
            recipe: run.recipe,
            command: run.command ? JSON.parse(run.command) : null,
            servers: servers.map((x) => x.id),
            instruction: instruction.type,
          },
        },
        ctx,
      );
    });
    return getRunView(orgId, id);
  }

  /** Runs of other kinds (discovery): the module that owns the kind runs each server's part. */
  const kinds = new Map<string, KindRunner>();

  function defineKind(kind: RunRow['kind'], runner: KindRunner): void {
    kinds.set(kind, runner);
  }

  async function startKindRun(input: {
    readonly orgId: string;
    readonly sel: ServerSelection;
    readonly kind: RunRow['kind'];
    readonly params: Record<string, unknown>;
    readonly instruction: Instruction;
    readonly ctx: RequestContext;
  }): Promise<RunView> {
    const { orgId, sel, kind, params, instruction, ctx } = input;
    if (!kinds.has(kind)) throw new AppError('STEWARD_INTERNAL', `No runner for ${kind} runs.`);
    return startRun(
      orgId,
      await selectServers(orgId, sel),
      { kind, recipe: null, params: JSON.stringify(params), command: null },
      instruction,
      ctx,
    );
  }

  async function runRecipe(
    actor: Actor,
    orgId: string,
    input: { recipe: string; params: unknown } & ServerSelection,
    ctx: RequestContext,
  ): Promise<RunView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    return startRecipe(orgId, input, userInstruction(actor.userId, ctx.requestId), ctx);
  }

  // Staff entry points: core/access checks the staff member's grant, then starts runs under its instruction
  /** Starts a recipe run under `instruction`; no membership check here (the caller authorised it). */
  async function startRecipe(
    orgId: string,
    input: { recipe: string; params: unknown } & ServerSelection,
    instruction: Instruction,
    ctx: RequestContext,
  ): Promise<RunView> {
    const recipe = recipes.get(input.recipe);
    if (!recipe)
      throw invalidInput(`There is no recipe "${input.recipe}". Recipes: ${[...recipes.keys()].join(', ')}.`, {
        field: 'recipe',
      });
    // Recipes that install a login key default to the organisation's own (what Steward logs in with).
    const given = { ...(input.params as Record<string, unknown> | undefined) };
    if (recipe.id === 'initial-setup' && given.authorizedKey === undefined && deps.orgPublicKey)
      given.authorizedKey = (await deps.orgPublicKey(orgId)).publicKey;
    const parsed = recipe.params.safeParse(given);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw invalidInput(`params.${issue.path.join('.')}: ${issue.message}`, { field: 'params' });
    }
    const servers = await selectServers(orgId, input);
    return startRun(
      orgId,
      servers,
      { kind: 'recipe', recipe: recipe.id, params: JSON.stringify(parsed.data), command: null },
      instruction,
      ctx,
    );
  }

  /** Starts an ad-hoc command run under `instruction`; no membership check here (the caller authorised it). */
  async function startCommand(
    orgId: string,
    input: { argv: readonly string[]; timeoutSeconds?: number } & ServerSelection,
    instruction: Instruction,
    ctx: RequestContext,
  ): Promise<RunView> {
    if (input.argv.length === 0) throw invalidInput('Give the command to run as a list of words.', { field: 'argv' });
    const timeout = Math.min(input.timeoutSeconds ?? 600, COMMAND_TIMEOUT_MAX_S);
    const servers = await selectServers(orgId, input);
    return startRun(
      orgId,
      servers,
      {
        kind: 'command',
        recipe: null,
        params: JSON.stringify({ timeoutSeconds: timeout }),
        command: JSON.stringify(input.argv),
      },
      instruction,
      ctx,
    );
  }

  async function runCommand(
    actor: Actor,
    orgId: string,
    input: { argv: readonly string[]; timeoutSeconds?: number } & ServerSelection,
    ctx: RequestContext,
  ): Promise<RunView> {
    await deps.orgs.requireMember(actor, orgId, 'member', ctx);
    return startCommand(orgId, input, userInstruction(actor.userId, ctx.requestId), ctx);
  }

  // Cluster: each server's part runs as a resumable job (host-run.ts)
  const hostRun = createHostRun(deps, recipes, kinds);

  async function getRunView(orgId: string, id: string): Promise<RunView> {
    const run = await tasksStore.run(db, orgId, id);
    if (!run) throw notFound('The task run');
    return runView(...(await settled(run, await tasksStore.hosts(db, id))));
  }

  /**
   * A run read while still `running` though no host is left running is closed first (its closer was lost; the
   * sweep would close it within a minute), so no one is shown a run waiting on nothing.
   */
  async function settled(run: RunRow, hosts: HostRow[]): Promise<[RunRow, HostRow[]]> {
    if (run.status !== 'running' || hosts.some((h) => !FINISHED.includes(h.status))) return [run, hosts];
    await hostRun.closeRunIfDone(run);
    return [(await tasksStore.run(db, run.org_id, run.id)) ?? run, hosts];
  }

  return {
    runRecipe,
    runCommand,
    runHost: hostRun.runHost,
    sweepAbandoned: hostRun.sweepAbandoned,
    hostLimits: hostRun.hostLimits,
    defineKind,
    startKindRun,
    selectServers,
    HOST_QUEUE,
    recipes: () =>
      [...recipes.values()].map((r) => ({ id: r.id, title: r.title, description: r.description, kind: r.kind })),
    async getRun(actor: Actor, orgId: string, id: string, ctx: RequestContext): Promise<RunView> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return getRunView(orgId, id);
    },
    async listRuns(
      actor: Actor,
      orgId: string,
      filter: { limit: number; serverId?: string },
      ctx: RequestContext,
    ): Promise<RunView[]> {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      const runs = await tasksStore.runs(db, orgId, filter.limit, filter.serverId);
      return Promise.all(runs.map(async (r) => runView(...(await settled(r, await tasksStore.hosts(db, r.id))))));
    },
    /** Output after a cursor (per server, the last sequence number seen), for polling and streaming. */
    async output(actor: Actor, orgId: string, id: string, cursor: Record<string, number>, ctx: RequestContext) {
      await deps.orgs.requireMember(actor, orgId, 'member', ctx);
      return outputOf(orgId, id, cursor);
    },
    // staff entry points (core/access authorises by grant first)
    startRecipe,
    startCommand,
    /** A run and its output for the staff member who started it under a grant (core/access checks that). */
    runUnderGrant: async (orgId: string, id: string, cursor: Record<string, number>) => outputOf(orgId, id, cursor),
  };

  async function outputOf(orgId: string, id: string, cursor: Record<string, number>) {
    const found = await tasksStore.run(db, orgId, id);
    if (!found) throw notFound('The task run');
    const [run, hosts] = await settled(found, await tasksStore.hosts(db, id));
    const entries = [];
    const next: Record<string, number> = { ...cursor };
    for (const h of hosts) {
      const rows = await tasksStore.outputAfter(db, id, h.server_id, cursor[h.server_id] ?? 0, 500);
      for (const r of rows)
        entries.push({ serverId: r.server_id, seq: r.seq, stream: r.stream, data: r.data, at: r.at });
      if (rows.length > 0) next[h.server_id] = rows.at(-1)!.seq;
    }
    entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    return {
      entries,
      cursor: next,
      finished: run.finished_at !== null,
      view: runView(run, hosts),
      instruction: { type: run.instruction_type, id: run.instruction_id },
    };
  }
}

export type TasksService = ReturnType<typeof createTasksService>;
export type { Instruction };
