import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { ProviderAccount } from '../../api/types';
import { Button } from '../../components/Button';
import { CopyCode } from '../../components/CopyCode';
import { formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Success } from '../../components/Success';
import { orgKey } from '../org/queries';
import { sandboxAccounts } from './sandboxLines';

class NothingPasted extends Error {}

/**
 * Connects the sandbox clouds Steward runs on its own machine (`npm start -- --sandbox`): the person pastes
 * the export lines it printed into a password field; they are read at submit time, sent once to connect the
 * accounts (validated like any other), and the field is cleared.
 */
export function SandboxConnect({
  orgId,
  onConnected,
}: {
  orgId: string;
  onConnected?: (accounts: ProviderAccount[]) => void;
}) {
  const id = useId();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<ProviderAccount[] | null>(null);
  const form = useRef<HTMLFormElement>(null);
  // The pasted text is read inside the call, so it never becomes the mutation's remembered variables.
  const connect = useMutation({
    mutationFn: async () => {
      const bodies = form.current ? sandboxAccounts(formValue(new FormData(form.current), 'lines')) : [];
      if (bodies.length === 0)
        throw new NothingPasted(
          'No sandbox account found in what was pasted. Paste every line that starts with export, as Steward printed them.',
        );
      const made: ProviderAccount[] = [];
      for (const body of bodies)
        made.push(await call(api.POST('/api/orgs/{orgId}/provider-accounts', { params: { path: { orgId } }, body })));
      return made;
    },
    onSuccess: async (made) => {
      form.current?.reset();
      setDone(made);
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId) });
      onConnected?.(made);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setDone(null);
    connect.mutate();
  };
  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Sandbox clouds on this machine</h2>
      <p>
        Steward ships two local clouds that speak the EC2 and ElasticHosts APIs; their instances are real SSH servers on
        Steward’s machine. Start Steward with them (as root), and it prints what to connect:
      </p>
      <CopyCode label="Command to start Steward with the sandbox clouds" code="npm start -- --sandbox" />
      <form ref={form} method="post" onSubmit={submit} className="stack tight" aria-label="Connect the sandbox clouds">
        <div className="field">
          <label htmlFor={`${id}-lines`}>The export lines it printed</label>
          <input
            id={`${id}-lines`}
            name="lines"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            aria-describedby={`${id}-hint`}
          />
          <p className="field-hint" id={`${id}-hint`}>
            Paste all of them at once (from export AWS_ENDPOINT_URL_EC2 to export ELASTICHOSTS_KEY). They hold the
            sandbox’s keys, so the field hides them; they are sealed like any other credential.
          </p>
        </div>
        <ErrorNotice error={connect.error} title="The sandbox clouds were not connected" />
        {done && <Success>Connected {done.map((a) => `“${a.name}” (key ${a.hint})`).join(' and ')}.</Success>}
        <div>
          <Button type="submit" variant="primary" busy={connect.isPending} busyLabel="Checking with the sandbox">
            Connect the sandbox
          </Button>
        </div>
      </form>
    </section>
  );
}
