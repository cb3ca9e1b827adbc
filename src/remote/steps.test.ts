import { describe, expect, it } from 'vitest';
import { FakeClock } from '../kernel/clock.js';
import { runSteps, type Step, type StepOutcome } from './steps.js';

/** A fake server: a set of facts steps can read and change. */
type Ctx = { facts: Set<string>; applied: string[] };

const ensure = (fact: string, opts: { breaks?: boolean; throws?: boolean } = {}): Step<Ctx> => ({
  id: `ensure-${fact}`,
  description: `${fact} is present`,
  check: async (ctx) => ctx.facts.has(fact),
  apply: async (ctx) => {
    ctx.applied.push(fact);
    if (opts.throws) throw new Error(`cannot apply ${fact}`);
    if (!opts.breaks) ctx.facts.add(fact);
  },
});

describe('runSteps', () => {
  it('applies only what is missing and reports each outcome in order', async () => {
    const ctx: Ctx = { facts: new Set(['a']), applied: [] };
    const seen: StepOutcome[] = [];
    const result = await runSteps([ensure('a'), ensure('b')], ctx, { onStep: (o) => void seen.push(o) });
    expect(result.ok).toBe(true);
    expect(result.outcomes.map((o) => [o.id, o.status])).toEqual([
      ['ensure-a', 'unchanged'],
      ['ensure-b', 'changed'],
    ]);
    expect(seen).toEqual(result.outcomes);
    expect(ctx.applied).toEqual(['b']);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const ctx: Ctx = { facts: new Set<string>(), applied: [] };
    const steps = [ensure('a'), ensure('b')];
    await runSteps(steps, ctx);
    const again = await runSteps(steps, ctx);
    expect(again.outcomes.map((o) => o.status)).toEqual(['unchanged', 'unchanged']);
    expect(ctx.applied).toEqual(['a', 'b']);
  });

  it('fails a step whose apply did not make its check pass, and stops there', async () => {
    const ctx: Ctx = { facts: new Set<string>(), applied: [] };
    const result = await runSteps([ensure('a'), ensure('b', { breaks: true }), ensure('c')], ctx);
    expect(result.ok).toBe(false);
    expect(result.outcomes.map((o) => o.status)).toEqual(['changed', 'failed']);
    expect(result.outcomes[1]?.error).toMatchObject({ code: 'STEWARD_REMOTE_STEP_NOT_CONVERGED' });
    expect(result.skipped).toEqual(['ensure-c']);
    expect(ctx.applied).toEqual(['a', 'b']);
  });

  it('records a throwing apply or check as a failure with its error', async () => {
    const ctx: Ctx = { facts: new Set<string>(), applied: [] };
    const failingCheck: Step<Ctx> = {
      id: 'x',
      description: 'x',
      check: () => Promise.reject(new Error('ssh down')),
      apply: async () => undefined,
    };
    const applyThrows = await runSteps([ensure('a', { throws: true })], ctx);
    expect(applyThrows.outcomes[0]).toMatchObject({ status: 'failed', error: new Error('cannot apply a') });
    const checkThrows = await runSteps([failingCheck], ctx);
    expect(checkThrows.outcomes[0]).toMatchObject({ status: 'failed', error: new Error('ssh down') });
  });

  it('announces each step before running it and measures it with the given clock', async () => {
    const clock = new FakeClock();
    const started: string[] = [];
    const slow: Step<null> = {
      id: 'slow',
      description: 'takes 5 s',
      check: async () => false,
      apply: async () => clock.advance(5_000),
    };
    let applied = false;
    const flip: Step<null> = {
      ...slow,
      check: async () => applied,
      apply: async () => void ((applied = true), clock.advance(5_000)),
    };
    const result = await runSteps([flip], null, { clock, onStepStart: (s) => void started.push(s.id) });
    expect(started).toEqual(['slow']);
    expect(result.outcomes[0]).toMatchObject({ status: 'changed', durationMs: 5_000 });
  });

  it('refuses two steps with the same id', async () => {
    await expect(runSteps([ensure('a'), ensure('a')], { facts: new Set<string>(), applied: [] })).rejects.toMatchObject(
      { code: 'STEWARD_INVALID_INPUT' },
    );
  });
});
