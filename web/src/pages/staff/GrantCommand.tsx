import { useMutation } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { TextField } from '../../components/TextField';
import { formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { splitArgv } from '../tasks/argv';

interface Props {
  grantId: string;
  server: { id: string; name: string };
}

type Line = { seq: number; stream: string; data: string };

/**
 * One command on one server under the grant (its tasks action). The words go to the server as they are
 * (through `sh -c` only when asked); the run and its output show in the customer's timeline.
 */
export function GrantCommand({ grantId, server }: Props) {
  const [runId, setRunId] = useState<string | null>(null);
  const [lines, setLines] = useState<Line[]>([]);
  const [finished, setFinished] = useState(false);
  const [pollError, setPollError] = useState<unknown>(null);
  const start = useMutation({
    mutationFn: (argv: string[]) =>
      call(
        api.POST('/api/staff/grants/{grantId}/commands', {
          params: { path: { grantId } },
          body: { serverIds: [server.id], argv },
        }),
      ),
    onSuccess: (run) => {
      setLines([]);
      setFinished(false);
      setPollError(null);
      setRunId(String(run.id));
    },
  });

  // Reads the run's output page by page until it finishes.
  useEffect(() => {
    if (!runId) return;
    let cursor: string | undefined;
    let stopped = false;
    let timer = 0;
    const read = async () => {
      try {
        const page = await call(
          api.GET('/api/staff/grants/{grantId}/task-runs/{runId}/output', {
            params: { path: { grantId, runId }, query: cursor ? { after: cursor } : {} },
          }),
        );
        if (stopped) return;
        cursor = page.cursor;
        if (page.entries.length > 0)
          setLines((all) => [...all, ...page.entries.map((e) => ({ seq: e.seq, stream: e.stream, data: e.data }))]);
        if (page.finished) setFinished(true);
        else timer = window.setTimeout(() => void read(), 700);
      } catch (err) {
        if (!stopped) setPollError(err);
      }
    };
    void read();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [grantId, runId]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const line = formValue(data, 'command').trim();
    const shell = data.get('shell') === 'on';
    const argv = shell ? ['sh', '-c', line] : splitArgv(line);
    if (line && argv && argv.length > 0) start.mutate(argv);
  };
  return (
    <section className="section stack" aria-labelledby="grant-command">
      <h2 id="grant-command">Run a command on {server.name}</h2>
      <form method="post" onSubmit={submit} className="stack">
        <TextField label="Command" name="command" className="mono" required autoComplete="off" spellCheck={false} />
        <label className="choice">
          <input type="checkbox" name="shell" /> Run it through a shell
        </label>
        <div className="row">
          <Button type="submit" variant="primary" busy={start.isPending} busyLabel="Starting">
            Run the command
          </Button>
        </div>
      </form>
      <ErrorNotice error={start.error ?? pollError} title="The command did not run" />
      {runId && (
        <div className="stack tight">
          <p role="status" className="muted small">
            {finished ? 'The command finished.' : 'Running…'}
          </p>
          <pre className="run-output" tabIndex={0} aria-label={`Output of the command on ${server.name}`}>
            {lines.map((l) => l.data).join('')}
          </pre>
        </div>
      )}
    </section>
  );
}
