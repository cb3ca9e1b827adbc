import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { Grant, GrantAction, GrantChange } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { SelectField } from '../../components/SelectField';
import { ErrorNotice } from '../../components/ErrorNotice';
import { orgKey } from '../org/queries';
import { ACTION_LABELS } from './words';

const EARLIER = [15, 30, 60, 120] as const;

interface Props {
  orgId: string;
  grant: Grant | null;
  serverName: (id: string) => string;
  onClose: (narrowed?: Grant) => void;
}

/** Narrowing a grant: fewer servers or actions, or an earlier end. Steward refuses anything wider. */
export function NarrowGrantDialog({ orgId, grant, serverName, onClose }: Props) {
  return (
    <Dialog open={grant !== null} title={`Narrow grant ${grant?.id ?? ''}`} onClose={() => onClose()}>
      {grant && <NarrowForm orgId={orgId} grant={grant} serverName={serverName} onClose={onClose} />}
    </Dialog>
  );
}

function NarrowForm({ orgId, grant, serverName, onClose }: Props & { grant: Grant }) {
  const queryClient = useQueryClient();
  const [servers, setServers] = useState<ReadonlySet<string>>(new Set(grant.scope.serverIds));
  const [actions, setActions] = useState<ReadonlySet<GrantAction>>(new Set(grant.scope.actions));
  const [earlier, setEarlier] = useState('');
  const narrow = useMutation({
    mutationFn: (body: GrantChange) =>
      call(api.PATCH('/api/orgs/{orgId}/grants/{grantId}', { params: { path: { orgId, grantId: grant.id } }, body })),
    onSuccess: async (narrowed) => {
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'grants') });
      onClose(narrowed);
    },
  });
  const flip = <T,>(set: ReadonlySet<T>, value: T, on: boolean): ReadonlySet<T> => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };
  // Whether the choice shortens the window is judged from when the dialog opened; the end sent is from now.
  const [openedAt] = useState(Date.now);
  const endsAtFrom = (now: number) => (earlier ? new Date(now + Number(earlier) * 60_000) : null);
  const endsAt = endsAtFrom(openedAt);
  const shortens = endsAt !== null && (!grant.endsAt || endsAt.getTime() < Date.parse(grant.endsAt));
  const changed = servers.size < grant.scope.serverIds.length || actions.size < grant.scope.actions.length || shortens;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!changed) return;
    narrow.mutate({
      ...(servers.size < grant.scope.serverIds.length
        ? { serverIds: grant.scope.serverIds.filter((id) => servers.has(id)) }
        : {}),
      ...(actions.size < grant.scope.actions.length
        ? { actions: grant.scope.actions.filter((a) => actions.has(a)) }
        : {}),
      ...(shortens ? { endsAt: endsAtFrom(Date.now())!.toISOString() } : {}),
    });
  };
  return (
    <form method="post" onSubmit={submit} className="stack">
      <div className="dialog-body">
        <p>Untick what staff should no longer reach. A grant can only get narrower.</p>
      </div>
      {grant.scope.serverIds.length > 0 && (
        <fieldset className="server-pick">
          <legend>Servers</legend>
          <ul className="check-list">
            {grant.scope.serverIds.map((id) => (
              <li key={id}>
                <label className="choice">
                  <input
                    type="checkbox"
                    checked={servers.has(id)}
                    onChange={(e) => setServers(flip(servers, id, e.target.checked))}
                  />{' '}
                  {serverName(id)}
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      )}
      <fieldset className="server-pick">
        <legend>Actions</legend>
        <ul className="check-list">
          {grant.scope.actions.map((a) => (
            <li key={a}>
              <label className="choice">
                <input
                  type="checkbox"
                  checked={actions.has(a)}
                  onChange={(e) => setActions(flip(actions, a, e.target.checked))}
                />{' '}
                {ACTION_LABELS[a]}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <SelectField label="End earlier" value={earlier} onChange={(e) => setEarlier(e.target.value)}>
        <option value="">Keep the current end</option>
        {EARLIER.map((m) => (
          <option key={m} value={m}>
            In {m} minutes
          </option>
        ))}
      </SelectField>
      <ErrorNotice error={narrow.error} title="The grant was not narrowed" />
      <div className="dialog-actions">
        <Button onClick={() => onClose()}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={!changed} busy={narrow.isPending} busyLabel="Saving">
          Narrow the grant
        </Button>
      </div>
    </form>
  );
}
