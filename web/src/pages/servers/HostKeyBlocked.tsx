import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { Server } from '../../api/types';
import { Button } from '../../components/Button';
import { CopyCode } from '../../components/CopyCode';
import { Fingerprint } from '../../components/Fingerprint';
import { ErrorNotice } from '../../components/ErrorNotice';
import { orgKey } from '../org/queries';

/**
 * A server whose SSH host key changed: Steward refuses to log in until an owner has compared the new key with
 * the server itself (on its console, not over the network that may be the problem) and confirms it by typing
 * or pasting the fingerprint they read there.
 */
export function HostKeyBlocked({ orgId, server, canConfirm }: { orgId: string; server: Server; canConfirm: boolean }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [typed, setTyped] = useState('');
  const presented = server.presentedFingerprint;
  const matches = presented !== null && typed.trim() === presented;
  const confirm = useMutation({
    mutationFn: (fingerprint: string) =>
      call(
        api.POST('/api/orgs/{orgId}/servers/{serverId}/host-key', {
          params: { path: { orgId: orgId, serverId: server.id } },
          body: { fingerprint },
        }),
      ),
    onSuccess: async () => {
      setTyped('');
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (matches) confirm.mutate(typed.trim());
  };
  return (
    <section className="alarm" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>The server’s SSH host key changed</h2>
      <p>
        Steward stopped logging in to {server.name} because it answered with a different host key than the one pinned.
        That happens after a reinstall or a key rotation, but also when something else answers at its address. Nothing
        is done on the server until this is settled.
      </p>
      <div className="fingerprint-compare">
        <div>
          <h3>Pinned (expected)</h3>
          <Fingerprint value={server.hostKey?.fingerprint} empty="none" />
        </div>
        <div>
          <h3>Presented now</h3>
          <Fingerprint value={presented} empty="unknown" />
        </div>
      </div>
      <p>On the server’s own console (your provider’s web console, or the machine itself), run:</p>
      <CopyCode
        label="Command to print the host key fingerprints on the server"
        code="for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf $k; done"
      />
      {canConfirm ? (
        presented ? (
          <form method="post" onSubmit={submit} className="stack tight">
            <div className="field">
              <label htmlFor={`${id}-fp`}>Fingerprint you read on the server</label>
              <input
                id={`${id}-fp`}
                value={typed}
                onChange={(event) => setTyped(event.target.value)}
                spellCheck={false}
                autoComplete="off"
                className="mono"
                aria-describedby={`${id}-hint`}
              />
              <p className="field-hint" id={`${id}-hint`}>
                {typed && !matches
                  ? 'This is not the key the server presents now. Do not trust it: the server may not be the one you think.'
                  : 'Only when it is the same as “presented now” can you trust it.'}
              </p>
            </div>
            <ErrorNotice error={confirm.error} title="The new key was not trusted" />
            <div>
              <Button type="submit" variant="danger" disabled={!matches} busy={confirm.isPending} busyLabel="Trusting">
                Trust the new host key
              </Button>
            </div>
          </form>
        ) : (
          <p>The server did not say which key it presents. Ask Steward to discover it again to see it here.</p>
        )
      ) : (
        <p className="muted">
          Only an owner of the organisation can trust a new host key. Ask one to look at this page.
        </p>
      )}
    </section>
  );
}
