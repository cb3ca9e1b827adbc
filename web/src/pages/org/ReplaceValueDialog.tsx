import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, type FormEvent } from 'react';
import { api, call } from '../../api/client';
import type { Credential } from '../../api/types';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { formErrors, formValue } from '../../components/formErrors';
import { ErrorNotice } from '../../components/ErrorNotice';
import { SecretField } from '../../components/SecretField';
import { orgKey } from './queries';

interface Props {
  orgId: string;
  credential: Credential | null;
  onClose: (replaced?: Credential) => void;
}

/** Replaces a credential's secret; the old value is gone for good once this succeeds. */
export function ReplaceValueDialog({ orgId, credential, onClose }: Props) {
  const queryClient = useQueryClient();
  const fromFile = useRef<string | null>(null);
  const replace = useMutation({
    mutationFn: ({ id, value }: { id: string; value: string }) =>
      call(
        api.PUT('/api/orgs/{orgId}/credentials/{credentialId}/value', {
          params: { path: { orgId, credentialId: id } },
          body: { value },
        }),
      ),
  });
  const close = (replaced?: Credential) => {
    fromFile.current = null;
    replace.reset();
    onClose(replaced);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!credential) return;
    const value = fromFile.current ?? formValue(new FormData(event.currentTarget), 'value');
    replace.mutate(
      { id: credential.id, value },
      {
        onSuccess: async (updated) => {
          await queryClient.invalidateQueries({ queryKey: orgKey(orgId, 'credentials') });
          close(updated);
        },
      },
    );
  };
  const errors = formErrors(replace.error, ['value'] as const);
  return (
    <Dialog
      open={credential !== null}
      title={`Replace the value of “${credential?.name ?? ''}”`}
      onClose={() => close()}
    >
      <form method="post" onSubmit={submit} className="stack">
        <p className="dialog-body">
          The new value is sealed in place of the old one, which cannot be recovered afterwards. The audit log records
          the change.
        </p>
        <SecretField
          label="New secret value"
          allowFile={credential?.kind === 'ssh_private_key'}
          onFile={(text) => (fromFile.current = text)}
          error={errors.field.value}
        />
        <ErrorNotice error={errors.form} title="The value was not replaced" />
        <div className="dialog-actions">
          <Button onClick={() => close()}>Cancel</Button>
          <Button type="submit" variant="primary" busy={replace.isPending} busyLabel="Sealing">
            Replace value
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
