import type { Recipe, TaskRun } from '../../api/types';

/** How a run is named for people: the recipe's title, the command line, or discovery. */
export function runTitle(run: TaskRun, recipes: readonly Recipe[] | undefined): string {
  if (run.kind === 'discovery') return 'Discovery';
  if (run.kind === 'recipe') return recipes?.find((r) => r.id === run.recipe)?.title ?? run.recipe ?? 'Recipe';
  const argv = run.command ?? [];
  if (argv[0] === 'sh' && argv[1] === '-c' && argv.length === 3) return argv[2]!;
  return argv.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
