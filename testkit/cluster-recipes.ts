/**
 * Imported (`node --import`) by cluster test nodes before the CLI: adds `test-tripwire`, a recipe whose steps
 * count themselves on the server, to the recipe table of that process. Steps 1 and 3 append a line whose presence
 * no check can see: applying one twice leaves two lines in /root/tripwire, so the file proves no step ran twice.
 * Step 2 holds the server for a while (its marker file says it is done; the remote command finishes even when the
 * worker that started it dies), which is where a test kills a worker.
 */
import { z } from 'zod';
import type { Recipe, TaskContext } from '../src/core/tasks/recipe.js';
import { RECIPES } from '../src/core/tasks/recipes/index.js';
import type { Step } from '../src/remote/index.js';

export const TRIPWIRE_FILE = '/root/tripwire';

const params = z.strictObject({ tag: z.string().regex(/^[a-z0-9-]{1,40}$/), holdSeconds: z.number().min(0).max(60) });
type Params = z.infer<typeof params>;

/**
 * An action that knows only whether this very run applied it (the engine checks again after applying): a worker
 * that takes the host over cannot tell, so a naive retry would append a second line.
 */
const append = (id: string, what: string): Step<TaskContext> => {
  const appliedBy = new WeakSet<TaskContext>();
  return {
    id,
    description: `a line "${what}" is added to ${TRIPWIRE_FILE}`,
    check: async (ctx) => appliedBy.has(ctx),
    apply: async (ctx) => {
      await ctx.session.exec(['sh', '-c', 'printf "%s\\n" "$1" >> /root/tripwire', 'steward', what]);
      appliedBy.add(ctx);
    },
  };
};

export const tripwireRecipe: Recipe<Params> = {
  id: 'test-tripwire',
  title: 'Tripwire (tests only)',
  description: 'Counts its own steps on the server.',
  kind: 'action',
  params,
  steps: ({ tag, holdSeconds }) => [
    append('tripwire-before', `${tag} before`),
    {
      id: 'hold',
      description: `the server was held for ${holdSeconds} s`,
      check: async (ctx) =>
        (await ctx.session.exec(['test', '-e', `/root/held-${tag}`], { acceptExitCodes: [0, 1] })).exitCode === 0,
      apply: async (ctx) =>
        void (await ctx.session.exec([
          'sh',
          '-c',
          'sleep "$1" && touch "/root/held-$2"',
          'steward',
          String(holdSeconds),
          tag,
        ])),
    },
    append('tripwire-after', `${tag} after`),
  ],
};

// The table is read-only to Steward's own code; only this test preload adds to it.
(RECIPES as Map<string, Recipe>).set(tripwireRecipe.id, tripwireRecipe);
