import type { z } from 'zod';
import type { Secret } from '../../kernel/secret.js';
import type { Argv, ExecOptions, ExecResult, RemoteSession, Step } from '../../remote/index.js';

/**
 * What a recipe's steps work with on one server: one login (all steps share it), live output into the task's
 * log, and sealed secrets the recipe creates or reads by name (a generated database password, say). Secrets go
 * to remote commands over stdin only.
 */
export interface TaskContext {
  readonly session: RemoteSession;
  readonly orgId: string;
  readonly server: { readonly id: string; readonly name: string; readonly address: string; readonly username: string };
  /** True when the login user is root; otherwise `privileged()` prefixes `sudo -n`. */
  readonly isRoot: boolean;
  /** A line for the task's live log (shown to the customer). Never pass secrets. */
  log(line: string): void;
  /** Runs a command, its output streaming into the task's live log. */
  run(argv: Argv, opts?: ExecOptions): Promise<ExecResult>;
  /** `argv` as root: unchanged for root, `sudo -n …` otherwise. */
  privileged(argv: Argv): Argv;
  readonly secrets: TaskSecrets;
}

export interface TaskSecrets {
  /** The sealed secret `name` of this server, created with `generate()` the first time. */
  ensure(name: string, generate: () => string): Promise<Secret<string>>;
  /** The sealed secret `name` of this server, if it exists. */
  get(name: string): Promise<Secret<string> | undefined>;
  /** Replaces (or creates) the sealed secret `name` of this server. */
  put(name: string, value: Secret<string>): Promise<void>;
}

/**
 * A maintenance recipe: idempotent steps (check, then apply only when needed). A `state` recipe run twice changes
 * nothing the second time and says so. An `action` recipe (restart a service, rotate a password) changes something
 * every time it is asked to, by design.
 */
export interface Recipe<P = unknown> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly kind: 'state' | 'action';
  /** Parameters, validated before the task is created; never secrets (the recipe generates or reads those). */
  readonly params: z.ZodType<P>;
  steps(params: P): readonly Step<TaskContext>[];
}

/** Typing helper so each recipe file reads `export default defineRecipe({...})`. */
export const defineRecipe = <P>(recipe: Recipe<P>): Recipe<P> => recipe;
