import { useMutation } from '@tanstack/react-query';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';

/** Hands a file to the browser to save; the object URL is let go of at once. */
function save(name: string, type: string, content: string) {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Everything Steward holds about the person, as JSON for machines and a summary for people. */
export function DataExport() {
  const exporting = useMutation({
    gcTime: 0,
    mutationFn: async (kind: 'json' | 'summary') => {
      const out = await call(api.GET('/api/me/export'));
      if (kind === 'json') save('steward-export.json', 'application/json', JSON.stringify(out.data, null, 2));
      else save('steward-export.txt', 'text/plain', out.summary);
      return kind;
    },
  });
  return (
    <section className="section card stack" aria-labelledby="export">
      <h2 id="export">Your data</h2>
      <p>
        Download everything Steward holds about you: your profile, organisations, consents, sessions and what was
        recorded about your account. Each download is recorded in the audit log.
      </p>
      <div className="row">
        <Button
          variant="primary"
          busy={exporting.isPending && exporting.variables === 'json'}
          busyLabel="Preparing"
          onClick={() => exporting.mutate('json')}
        >
          Download your data (JSON)
        </Button>
        <Button
          busy={exporting.isPending && exporting.variables === 'summary'}
          busyLabel="Preparing"
          onClick={() => exporting.mutate('summary')}
        >
          Download a readable summary
        </Button>
      </div>
      <ErrorNotice error={exporting.error} title="The export could not be made" />
      {exporting.isSuccess && <Success>Your {exporting.data === 'json' ? 'data' : 'summary'} was downloaded.</Success>}
    </section>
  );
}
