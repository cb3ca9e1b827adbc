import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServerPage } from './ServerLayout';

/** Removing the server from Steward, confirmed by typing its name. */
export function Remove() {
  const org = useOrg();
  const { server } = useServerPage();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const force = server.status === 'remove_failed' || server.status === 'blocked' || server.login === 'bootstrap';
  const remove = useMutation({
    mutationFn: () =>
      call(
        api.DELETE('/api/orgs/{orgId}/servers/{serverId}', {
          params: {
            path: { orgId: org.id, serverId: server.id },
            query: { force: server.status === 'remove_failed' ? 'true' : 'false' },
          },
        }),
      ),
    onSuccess: async () => {
      setOpen(false);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'servers') });
      navigate(`/orgs/${org.id}/servers`);
    },
  });
  return (
    <section className="section card danger-zone" aria-labelledby="remove-title">
      <h2 id="remove-title">Remove from Steward</h2>
      <p>
        {force
          ? 'Steward forgets the server without logging in to it. Its key may stay in the server’s authorized_keys; remove it there yourself.'
          : 'Steward logs in one last time to take the organisation’s key off the server, then forgets it, its facts and its history. The server itself keeps running.'}
        {server.provider ? ' To stop paying for the instance, terminate it on the Cloud instances page instead.' : ''}
      </p>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Remove {server.name}
      </Button>
      <ConfirmDialog
        open={open}
        title={`Remove “${server.name}”?`}
        confirmText={server.name}
        confirmLabel="Remove server"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => remove.mutate()}
        onClose={() => {
          setOpen(false);
          remove.reset();
        }}
      >
        <p>Steward stops managing this server. Adding it again needs a first-login password or key.</p>
      </ConfirmDialog>
    </section>
  );
}
