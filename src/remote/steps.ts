/**
 * Idempotent steps: each knows how to tell whether the server is already in the wanted state (`check`) and
 * how to get it there (`apply`). Running a list twice changes nothing the second time, and a step whose
 * apply did not make its check pass is a failure, not a silent "done".
 */
import { systemClock, type Clock } from '../kernel/clock.js';
import { AppError } from '../kernel/errors.js';

/**
 * One unit of change on a server. `check` must have no side effects; `apply` may assume `check` just
 * returned false. `Ctx` is whatever the recipe needs (usually a `RemoteSession` and the server's facts).
 */
export interface Step<Ctx> {
  /** Stable and unique within a recipe; tasks record outcomes by it. */
  readonly id: string;
  /** For people: what the step makes true, e.g. "nginx is installed". */
  readonly description: string;
  /** Resolves true when the server is already as the step wants it. */
  check(ctx: Ctx): Promise<boolean>;
  apply(ctx: Ctx): Promise<void>;
}

export type StepStatus = 'unchanged' | 'changed' | 'failed';

export interface StepOutcome {
  readonly id: string;
  readonly description: string;
  readonly status: StepStatus;
  readonly durationMs: number;
  /** Set when `status` is `failed`. */
  readonly error?: unknown;
}

export interface StepRunResult {
  readonly ok: boolean;
  /** One per step that ran, in order; the last is the failure if `ok` is false. */
  readonly outcomes: readonly StepOutcome[];
  /** Ids of steps not run because an earlier one failed. */
  readonly skipped: readonly string[];
}

export interface RunStepsOptions {
  readonly onStepStart?: (step: { id: string; description: string }) => void | Promise<void>;
  /** Called with each outcome as it happens, for live task progress and the task record. */
  readonly onStep?: (outcome: StepOutcome) => void | Promise<void>;
  readonly clock?: Clock;
}

export async function runSteps<Ctx>(
  steps: readonly Step<Ctx>[],
  ctx: Ctx,
  options: RunStepsOptions = {},
): Promise<StepRunResult> {
  assertUniqueIds(steps);
  const clock = options.clock ?? systemClock;
  const outcomes: StepOutcome[] = [];
  for (const [index, step] of steps.entries()) {
    await options.onStepStart?.({ id: step.id, description: step.description });
    const started = clock.nowMs();
    const outcome = await runOne(step, ctx, () => clock.nowMs() - started);
    outcomes.push(outcome);
    await options.onStep?.(outcome);
    if (outcome.status === 'failed') {
      return { ok: false, outcomes, skipped: steps.slice(index + 1).map((s) => s.id) };
    }
  }
  return { ok: true, outcomes, skipped: [] };
}

async function runOne<Ctx>(step: Step<Ctx>, ctx: Ctx, elapsed: () => number): Promise<StepOutcome> {
  const base = { id: step.id, description: step.description };
  try {
    // 1. Already satisfied: nothing to do.
    if ((await step.check(ctx)) === true) return { ...base, status: 'unchanged', durationMs: elapsed() };
    // 2. Apply, then 3. check again: the step has to prove it worked.
    await step.apply(ctx);
    if ((await step.check(ctx)) === true) return { ...base, status: 'changed', durationMs: elapsed() };
    const error = new AppError(
      'STEWARD_REMOTE_STEP_NOT_CONVERGED',
      `Step "${step.id}" was applied but its check still fails.`,
      { stepId: step.id },
    );
    return { ...base, status: 'failed', durationMs: elapsed(), error };
  } catch (error) {
    return { ...base, status: 'failed', durationMs: elapsed(), error };
  }
}

function assertUniqueIds(steps: readonly Step<unknown>[]): void {
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id))
      throw new AppError('STEWARD_INVALID_INPUT', `Two steps share the id "${step.id}".`, { stepId: step.id });
    seen.add(step.id);
  }
}
