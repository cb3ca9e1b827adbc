/**
 * How recipe steps run commands. Every command is an argv array quoted by `remote/argv.ts`; where a recipe needs
 * shell logic it sends a script that is fixed text in this folder, with every value as a positional parameter
 * (`sh -c SCRIPT steward "$1" "$2"…`), so no value is ever spliced into shell text.
 */
import { AppError, type ErrorCode } from '../../../kernel/errors.js';
import { ExecError, type Argv, type ExecOptions, type ExecResult } from '../../../remote/index.js';
import type { TaskContext } from '../recipe.js';

/** `$0` of every script, so the process list says who ran it. */
const SCRIPT_NAME = 'steward';

/** A fixed script from this folder with its values as `"$1"`, `"$2"`…; the script text is one quoted argument. */
export function sh(script: string, ...args: readonly string[]): Argv {
  return ['sh', '-c', script, SCRIPT_NAME, ...args];
}

/**
 * Runs as root and keeps the output to the recipe: checks and reads, whose output means nothing to the
 * customer (and would be repeated, since a step checks before and after it applies).
 */
export function inspect(ctx: TaskContext, argv: Argv, opts?: ExecOptions): Promise<ExecResult> {
  return ctx.session.exec(ctx.privileged(argv), opts);
}

/** Runs as root with its output streaming into the task's live log: installs, upgrades, restarts. */
export function change(ctx: TaskContext, argv: Argv, opts?: ExecOptions): Promise<ExecResult> {
  return ctx.run(ctx.privileged(argv), opts);
}

/** Runs as the login user, without sudo; for reading the session's own environment. */
export function asLoginUser(ctx: TaskContext, argv: Argv, opts?: ExecOptions): Promise<ExecResult> {
  return ctx.session.exec(argv, opts);
}

/** Runs a script whose exit status is an answer (0 yes, 1 no); anything else is a failure. */
export async function succeeds(ctx: TaskContext, argv: Argv): Promise<boolean> {
  const result = await inspect(ctx, argv, { acceptExitCodes: [0, 1] });
  return result.exitCode === 0;
}

/** The last lines of a failed command's stderr, for an error message a person can act on. */
export function stderrTail(error: unknown, lines = 6): string {
  if (!(error instanceof ExecError)) return '';
  return error.stderr.trim().split('\n').slice(-lines).join('\n');
}

/** Wraps a failed remote command in an error that says what Steward was trying to do. */
export function failure(code: ErrorCode, what: string, error: unknown, details?: Record<string, unknown>): AppError {
  const tail = stderrTail(error);
  const message = tail ? `${what}:\n${tail}` : `${what}: ${error instanceof Error ? error.message : String(error)}`;
  return new AppError(code, message, details, { cause: error });
}
