/**
 * A TaskContext for recipe tests: one SSH session to a real host, sealed secrets kept in memory, and the task's
 * log captured (log lines and every byte of command output that streams into it), so a test can read what a
 * customer would see and search it for secrets.
 */
import type { Secret } from '../src/kernel/secret.js';
import { secret } from '../src/kernel/secret.js';
import {
  runSteps,
  type Argv,
  type RemoteSession,
  type RunStepsOptions,
  type SshTarget,
  type StepRunResult,
  type StepStatus,
} from '../src/remote/index.js';
import type { Recipe, TaskContext, TaskSecrets } from '../src/core/tasks/recipe.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';

/**
 * What recipe test hosts have installed (they have no internet, so a recipe finds its packages present). One
 * list for every recipe test file, so they share one cached root (built once, several minutes on 2 cores).
 */
export const RECIPE_HOST_PACKAGES: readonly string[] = [
  'cron',
  'curl',
  'fail2ban',
  'mariadb-server',
  'nginx',
  'ufw',
  'unattended-upgrades',
];

export interface TestTaskContext extends TaskContext {
  /** Secrets by name, in clear: the test's view of the vault. */
  readonly store: Map<string, string>;
  /** The live log so far: `log()` lines and streamed command output, in order. */
  logText(): string;
  /** Only the `log()` lines (what the recipe says to people). */
  readonly lines: string[];
}

export interface TaskContextOptions {
  /** The login user; default root. */
  readonly username?: string;
  readonly address?: string;
  /** Shared between runs to keep the same "vault". */
  readonly store?: Map<string, string>;
}

export function createTaskContext(session: RemoteSession, options: TaskContextOptions = {}): TestTaskContext {
  const username = options.username ?? 'root';
  const store = options.store ?? new Map<string, string>();
  const lines: string[] = [];
  const log: string[] = [];
  const secrets: TaskSecrets = {
    async ensure(name, generate) {
      if (!store.has(name)) store.set(name, generate());
      return secret(store.get(name) ?? '');
    },
    async get(name) {
      return store.has(name) ? secret(store.get(name) ?? '') : undefined;
    },
    async put(name, value: Secret<string>) {
      store.set(name, value.reveal());
    },
  };
  const isRoot = username === 'root';
  return {
    session,
    orgId: 'org_recipe_test',
    server: { id: 'srv_recipe_test', name: 'recipe-test', address: options.address ?? 'unknown', username },
    isRoot,
    store,
    lines,
    logText: () => log.join(''),
    log(line) {
      lines.push(line);
      log.push(`${line}\n`);
    },
    run(argv, opts = {}) {
      return session.exec(argv, {
        ...opts,
        onStdout: (chunk) => (log.push(chunk.toString('utf8')), opts.onStdout?.(chunk)),
        onStderr: (chunk) => (log.push(chunk.toString('utf8')), opts.onStderr?.(chunk)),
      });
    },
    privileged: (argv: Argv): Argv => (isRoot ? argv : ['sudo', '-n', ...argv]),
    secrets,
  };
}

/** Validates the parameters as the engine will, then runs the recipe's steps. */
export function runRecipe<P>(
  recipe: Recipe<P>,
  params: unknown,
  ctx: TaskContext,
  options?: RunStepsOptions,
): Promise<StepRunResult> {
  return runSteps(recipe.steps(recipe.params.parse(params)), ctx, options);
}

/** Step id → status, for compact assertions. */
export function statuses(result: StepRunResult): Record<string, StepStatus> {
  return Object.fromEntries(result.outcomes.map((o) => [o.id, o.status]));
}

/** The first failure of a run, for assertion messages. */
export function failureOf(result: StepRunResult): unknown {
  return result.outcomes.find((o) => o.status === 'failed')?.error;
}

/** How the executor reaches a fleet host: key login, host key pinned to what the host presents. */
export function fleetTarget(host: TestHost, login: { username: string; privateKey: string }): SshTarget {
  return {
    host: host.address,
    port: host.port,
    username: login.username,
    auth: { kind: 'key', privateKey: secret(login.privateKey) },
    hostKey: { kind: 'pinned', keys: host.hostKeys.map((k) => k.publicKey) },
    label: host.name,
  };
}
