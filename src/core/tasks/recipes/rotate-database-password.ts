import { AppError } from '../../../kernel/errors.js';
import { Secret } from '../../../kernel/secret.js';
import type { Step } from '../../../remote/index.js';
import { defineRecipe, type TaskContext } from '../recipe.js';
import { databaseParams, passwordSecret, type DatabaseParams } from './database.js';
import { canLogIn, generatePassword, revealPassword, setPassword, userExists } from './mysql.js';

/**
 * The new password is sealed as `<name>:pending` before the server hears of it, and becomes the password only
 * once the server takes it. A run cut short anywhere can be run again: it finds the pending password still
 * different from the current one, reuses it instead of making another, and finishes the job.
 */
const pendingSecret = (name: string): string => `${name}:pending`;

function same(a: Secret<string> | undefined, b: Secret<string> | undefined): boolean {
  return a !== undefined && b !== undefined && a.reveal() === b.reveal();
}

function rotationSteps(name: string, user: string): Step<TaskContext>[] {
  const current = passwordSecret(name, user);
  const pending = pendingSecret(current);
  // Per run (a TaskContext), never shared between servers that run the same step list.
  const staged = new WeakSet<TaskContext>();
  return [
    {
      id: 'rotate-stage',
      description: `a new password for ${user}@localhost is generated and sealed`,
      async check(ctx) {
        if (staged.has(ctx)) return true;
        const [now, next] = await Promise.all([ctx.secrets.get(current), ctx.secrets.get(pending)]);
        if (next === undefined || same(now, next)) return false;
        ctx.log('an earlier rotation did not finish; finishing it with the password it had generated');
        staged.add(ctx);
        return true;
      },
      async apply(ctx) {
        if (!(await userExists(ctx, user))) {
          throw new AppError(
            'STEWARD_RECIPE_PRECONDITION',
            `Database user ${user}@localhost does not exist; run the database recipe first.`,
            { user },
          );
        }
        await ctx.secrets.put(pending, new Secret(generatePassword()));
        staged.add(ctx);
        ctx.log(`generated a new password for ${user}@localhost and sealed it`);
      },
    },
    {
      id: 'rotate-server',
      description: `MariaDB accepts the new password for ${user}@localhost`,
      async check(ctx) {
        const next = await ctx.secrets.get(pending);
        return next !== undefined && (await canLogIn(ctx, user, revealPassword(next)));
      },
      async apply(ctx) {
        const next = await ctx.secrets.get(pending);
        if (next === undefined) throw new AppError('STEWARD_RECIPE_PRECONDITION', 'The new password was not staged.');
        await setPassword(ctx, user, revealPassword(next));
        ctx.log(`MariaDB now takes the new password for ${user}@localhost; the old one no longer works`);
      },
    },
    {
      id: 'rotate-store',
      description: `Steward holds the new password as ${user}'s password`,
      check: async (ctx) => same(await ctx.secrets.get(current), await ctx.secrets.get(pending)),
      async apply(ctx) {
        const next = await ctx.secrets.get(pending);
        if (next === undefined) throw new AppError('STEWARD_RECIPE_PRECONDITION', 'The new password was not staged.');
        await ctx.secrets.put(current, next);
        ctx.log(`the new password is sealed as ${current}`);
      },
    },
  ];
}

/**
 * Rotates the password of a database user made by the `database` recipe: a new one is generated, sealed as
 * pending, set on the server over the client's stdin, checked to work, and only then sealed as the password.
 * An action: every run makes a new password, except a run that finishes an interrupted one.
 */
export default defineRecipe<DatabaseParams>({
  id: 'rotate-database-password',
  title: 'Rotate a database password',
  description: 'A new generated password for a database user, set on the server and sealed.',
  kind: 'action',
  params: databaseParams,
  steps: ({ name, user }) => rotationSteps(name, user),
});
