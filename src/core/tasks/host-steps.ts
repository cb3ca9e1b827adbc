/**
 * A recipe's steps on one server, recorded as they go so another worker can resume the run if this one dies.
 * Before a step applies anything, the host row names it (`applying`); after each outcome the finished steps are
 * written and the name cleared. A resumed run therefore:
 * - skips steps recorded as done (an action such as "restart nginx" is not repeated);
 * - checks the rest first, as every run does (state steps re-apply only if their check says so);
 * - for the step that was being applied when the worker died: its check decides; if the check cannot tell that
 *   it took effect and the recipe is an `action`, the step is not applied again and the host fails with
 *   STEWARD_TASK_INTERRUPTED (repeating it could do the change twice).
 */
import type { Clock } from '../../kernel/clock.js';
import { AppError } from '../../kernel/errors.js';
import type { Step } from '../../remote/index.js';
import { LeaseLost, WorkerStopping } from '../jobs/queue.js';
import type { TaskContext } from './recipe.js';

export interface RecordedStep {
  readonly id: string;
  readonly description: string;
  readonly status: 'unchanged' | 'changed' | 'failed';
  readonly durationMs: number;
  readonly error?: string;
}

/** Where an earlier attempt at this host left off. */
export interface Resume {
  readonly done: readonly RecordedStep[];
  /** The step the earlier attempt was applying when it stopped, if any. */
  readonly applying: string | null;
}

/** This attempt no longer holds the host: another worker took it over (this one was presumed dead). */
export class HostTakenOver extends Error {
  constructor() {
    super('another worker has taken this server’s part of the run over');
  }
}

/** Writes progress; each call throws `HostTakenOver` if this attempt no longer holds the host. */
export interface StepRecorder {
  applying(stepId: string): Promise<void>;
  done(steps: readonly RecordedStep[]): Promise<void>;
}

export interface RecordedRunOptions {
  readonly kind: 'state' | 'action';
  readonly resume: Resume | undefined;
  readonly record: StepRecorder;
  readonly log: (line: string) => void;
  readonly clock: Clock;
  readonly signal: AbortSignal;
}

const messageOf = (err: unknown): string => String((err as Error)?.message ?? err).slice(0, 500);

/** Runs the steps in order and stops at the first failure. Throws `WorkerStopping` (progress kept) if the worker stops. */
export async function runRecordedSteps(
  steps: readonly Step<TaskContext>[],
  ctx: TaskContext,
  o: RecordedRunOptions,
): Promise<{ ok: boolean; steps: RecordedStep[] }> {
  if (new Set(steps.map((s) => s.id)).size !== steps.length)
    throw new AppError('STEWARD_INVALID_INPUT', 'Two steps of the recipe share an id.');
  const earlier = new Map((o.resume?.done ?? []).filter((s) => s.status !== 'failed').map((s) => [s.id, s]));
  const outcomes: RecordedStep[] = [];
  for (const step of steps) {
    const before = earlier.get(step.id);
    if (before) {
      outcomes.push(before);
      o.log(`= already done before the worker changed: ${step.description}`);
      continue;
    }
    o.log(`▶ ${step.description}`);
    const started = o.clock.nowMs();
    const interrupted = o.resume?.applying === step.id;
    const base = { id: step.id, description: step.description };
    let outcome: RecordedStep;
    try {
      if (await step.check(ctx)) {
        // The interrupted apply had taken effect: that was this run's change.
        outcome = { ...base, status: interrupted ? 'changed' : 'unchanged', durationMs: o.clock.nowMs() - started };
      } else if (interrupted && o.kind === 'action') {
        throw new AppError(
          'STEWARD_TASK_INTERRUPTED',
          `The worker stopped while "${step.description}" was being applied, and Steward cannot tell whether it took effect; it was not applied again. Check the server, then run the task again.`,
          { stepId: step.id },
        );
      } else {
        await o.record.applying(step.id);
        await step.apply(ctx);
        if (!(await step.check(ctx)))
          throw new AppError(
            'STEWARD_REMOTE_STEP_NOT_CONVERGED',
            `Step "${step.id}" was applied but its check still fails.`,
            { stepId: step.id },
          );
        outcome = { ...base, status: 'changed', durationMs: o.clock.nowMs() - started };
      }
    } catch (err) {
      // Stopping mid-step: leave `applying` recorded so whoever resumes knows this step may have half-happened.
      if (o.signal.reason instanceof WorkerStopping || o.signal.reason instanceof LeaseLost) throw o.signal.reason;
      if (err instanceof HostTakenOver) throw err;
      outcome = { ...base, status: 'failed', durationMs: o.clock.nowMs() - started, error: messageOf(err) };
    }
    outcomes.push(outcome);
    o.log(
      `${outcome.status === 'failed' ? '✗' : outcome.status === 'changed' ? '✓ changed' : '= unchanged'}: ${step.description} (${outcome.durationMs} ms)`,
    );
    await o.record.done(outcomes);
    if (outcome.status === 'failed') return { ok: false, steps: outcomes };
  }
  return { ok: true, steps: outcomes };
}
