import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { NewCommand, NewTaskRun, Server } from '../../api/types';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SERVER_STATUS } from '../../components/status';
import { orgKey } from '../org/queries';
import { splitArgv } from './argv';
import { useRecipes } from './queries';
import { RECIPE_PARAMS } from './recipeParams';

type What = 'recipe' | 'command';
/** What the form starts: a command or a recipe, each with the body its own endpoint takes. */
type Start = { kind: 'command'; body: NewCommand } | { kind: 'recipe'; body: NewTaskRun };

interface Props {
  orgId: string;
  /** The servers the person may pick from, or the one server the task is for. */
  servers: readonly Server[];
  fixed?: boolean;
}

/**
 * Runs a maintenance recipe or an ad-hoc command on one or more servers, then opens the run to follow its
 * progress and live output. A command's words go to the server as they are, never through a shell unless the
 * person asks for one.
 */
export function NewTaskForm({ orgId, servers, fixed = false }: Props) {
  const recipes = useRecipes();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [what, setWhat] = useState<What>('command');
  const [recipeId, setRecipeId] = useState('');
  const [line, setLine] = useState('');
  const [shell, setShell] = useState(false);
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(fixed ? servers.map((s) => s.id) : []));
  const ready = servers.filter((s) => s.status === 'ready');
  const argv = shell ? (line.trim() ? ['sh', '-c', line] : []) : splitArgv(line);
  const recipe = recipes.data?.find((r) => r.id === recipeId) ?? recipes.data?.[0];
  const params = recipe ? (RECIPE_PARAMS[recipe.id] ?? []) : [];

  const start = useMutation({
    mutationFn: async ({ kind, body }: Start) =>
      kind === 'command'
        ? call(api.POST('/api/orgs/{orgId}/commands', { params: { path: { orgId } }, body }))
        : call(api.POST('/api/orgs/{orgId}/task-runs', { params: { path: { orgId } }, body })),
    onSuccess: async (run) => {
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'task-runs') });
      navigate(`/orgs/${orgId}/tasks/${run.id}`);
    },
  });

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const serverIds = [...picked];
    if (what === 'command') {
      const timeout = Number(formValue(data, 'timeout'));
      start.mutate({
        kind: 'command',
        body: { argv: argv ?? [], serverIds, ...(timeout ? { timeoutSeconds: timeout } : {}) },
      });
    } else if (recipe) {
      start.mutate({
        kind: 'recipe',
        body: {
          recipe: recipe.id,
          params: Object.fromEntries(params.map((p) => [p.name, formValue(data, `param-${p.name}`).trim()])),
          serverIds,
        },
      });
    }
  };
  const toggle = (id: string, on: boolean) =>
    setPicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const errors = formErrors(start.error, ['argv', 'recipe', 'params', 'serverIds'] as const);
  const canRun = picked.size > 0 && (what === 'recipe' ? Boolean(recipe) : Boolean(argv && argv.length > 0));

  return (
    <form method="post" onSubmit={submit} className="card stack" aria-label="Run a task">
      <div className="choice-row" role="radiogroup" aria-label="What to run">
        <label className="choice">
          <input type="radio" name="what" checked={what === 'command'} onChange={() => setWhat('command')} /> A command
        </label>
        <label className="choice">
          <input type="radio" name="what" checked={what === 'recipe'} onChange={() => setWhat('recipe')} /> A
          maintenance recipe
        </label>
      </div>
      {what === 'command' ? (
        <>
          <TextField
            label="Command"
            name="command"
            value={line}
            onChange={(event) => setLine(event.target.value)}
            spellCheck={false}
            autoComplete="off"
            className="mono"
            placeholder="uname -a"
            required
            hint={
              shell
                ? 'Run by /bin/sh -c on the server: pipes, variables and globs work.'
                : 'Words are passed to the program as they are; quotes group words. Tick the box below for pipes or variables.'
            }
            error={errors.field.argv ?? (argv === null ? 'A quote is not closed.' : undefined)}
          />
          {argv && argv.length > 0 && (
            <p className="argv-preview small">
              <span className="muted">Steward will run: </span>
              {argv.map((w, i) => (
                <code key={i}>{w}</code>
              ))}
            </p>
          )}
          <div className="row">
            <label className="choice">
              <input type="checkbox" checked={shell} onChange={(event) => setShell(event.target.checked)} /> Run it
              through a shell
            </label>
          </div>
          <TextField
            label="Time limit in seconds (optional)"
            name="timeout"
            type="number"
            min={1}
            max={3600}
            placeholder="600"
            className="narrow-input"
          />
        </>
      ) : (
        <>
          <SelectField
            label="Recipe"
            value={recipe?.id ?? ''}
            onChange={(event) => setRecipeId(event.target.value)}
            hint={
              recipe
                ? `${recipe.description} ${recipe.kind === 'state' ? 'Safe to run again: it changes only what is not already so.' : 'It acts every time it runs.'}`
                : undefined
            }
          >
            {recipes.data?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.title}
              </option>
            ))}
          </SelectField>
          <ErrorNotice error={recipes.error} title="Recipes could not be loaded" />
          {params.length > 0 && (
            <div className="grid-2" key={recipe?.id}>
              {params.map((p) => (
                <TextField
                  key={p.name}
                  label={p.label}
                  name={`param-${p.name}`}
                  required
                  pattern={p.pattern}
                  defaultValue={p.defaultValue}
                  hint={p.hint}
                  spellCheck={false}
                  autoComplete="off"
                />
              ))}
            </div>
          )}
        </>
      )}
      {!fixed && (
        <fieldset className="server-pick">
          <legend>On which servers</legend>
          {servers.length === 0 && <p className="muted">No servers yet.</p>}
          {servers.length > 1 && (
            <div className="row">
              <Button variant="ghost" onClick={() => setPicked(new Set(ready.map((s) => s.id)))}>
                Select all ready servers
              </Button>
              <Button variant="ghost" onClick={() => setPicked(new Set())}>
                Clear
              </Button>
            </div>
          )}
          <ul className="check-list">
            {servers.map((s) => (
              <li key={s.id}>
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={picked.has(s.id)}
                    disabled={s.status !== 'ready'}
                    onChange={(event) => toggle(s.id, event.target.checked)}
                  />
                  {s.name}{' '}
                  <span className="muted small">
                    {s.address}
                    {s.status !== 'ready' ? ` · ${SERVER_STATUS[s.status].label}` : ''}
                  </span>
                </label>
              </li>
            ))}
          </ul>
          {errors.field.serverIds && <p className="field-error">{errors.field.serverIds}</p>}
        </fieldset>
      )}
      <ErrorNotice error={errors.form} title="The task did not start" />
      {errors.field.recipe && (
        <p className="field-error" role="alert">
          {errors.field.recipe}
        </p>
      )}
      {errors.field.params && (
        <p className="field-error" role="alert">
          {errors.field.params}
        </p>
      )}
      <div>
        <Button type="submit" variant="primary" disabled={!canRun} busy={start.isPending} busyLabel="Starting">
          {fixed ? 'Run' : `Run on ${picked.size} server${picked.size === 1 ? '' : 's'}`}
        </Button>
      </div>
    </form>
  );
}
