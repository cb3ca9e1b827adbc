import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, call } from '../../api/client';
import type { Instance, InstanceImport } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { TextField } from '../../components/TextField';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { orgKey } from '../org/queries';

/** Brings an instance Steward did not launch into the servers inventory; it must accept the organisation's key. */
export function ImportDialog({
  orgId,
  instance,
  onClose,
}: {
  orgId: string;
  instance: Instance | null;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const importing = useMutation({
    mutationFn: (body: InstanceImport) =>
      call(
        api.POST('/api/orgs/{orgId}/provider-accounts/{accountId}/instances/{instanceId}/import', {
          params: { path: { orgId, accountId: instance!.accountId, instanceId: instance!.id } },
          body,
        }),
      ),
    onSuccess: async (server) => {
      await queryClient.invalidateQueries({ queryKey: orgKey(orgId) });
      onClose();
      navigate(`/orgs/${orgId}/servers/${server.id}`);
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formValue(data, 'name').trim();
    importing.mutate({
      ...(name ? { name } : {}),
      sshUser: formValue(data, 'sshUser').trim() || 'root',
      trustFirstContact: data.get('trust') === 'on',
    });
  };
  const close = () => {
    importing.reset();
    onClose();
  };
  const errors = formErrors(importing.error, ['name', 'sshUser'] as const);
  return (
    <Dialog open={instance !== null} title={`Import “${instance?.name || instance?.id || ''}”`} onClose={close}>
      <form method="post" onSubmit={submit} className="stack">
        <p className="dialog-body">
          Steward logs in with your organisation’s SSH key, so the instance must already accept it (instances launched
          with it do). Then it joins your servers and is discovered.
        </p>
        <TextField
          label="Server name"
          name="name"
          defaultValue={instance?.name ?? ''}
          maxLength={100}
          error={errors.field.name}
        />
        <TextField
          label="SSH user"
          name="sshUser"
          defaultValue="root"
          required
          maxLength={32}
          hint="The user the image lets the key log in as: root, admin (Debian), ubuntu (Ubuntu), ec2-user (Amazon Linux)."
          error={errors.field.sshUser}
        />
        <label className="choice">
          <input type="checkbox" name="trust" /> Trust the host key the instance presents at first contact, if the
          provider reports none
        </label>
        <ErrorNotice error={errors.form} title="The instance was not imported" />
        <div className="dialog-actions">
          <Button onClick={close}>Cancel</Button>
          <Button type="submit" variant="primary" busy={importing.isPending} busyLabel="Importing">
            Import
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
