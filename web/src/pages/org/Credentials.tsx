import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { Credential } from '../../api/types';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { CredentialForm } from './CredentialForm';
import { KIND_LABELS } from './credentialKinds';
import { useOrg } from './OrgScope';
import { orgKey, useCredentials } from './queries';
import { ReplaceValueDialog } from './ReplaceValueDialog';

/** The organisation's sealed credentials: written here, used by Steward, never shown again (hints only). */
export function Credentials() {
  const org = useOrg();
  const credentials = useCredentials(org.id);
  const queryClient = useQueryClient();
  const [replacing, setReplacing] = useState<Credential | null>(null);
  const [deleting, setDeleting] = useState<Credential | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const remove = useMutation({
    mutationFn: (credential: Credential) =>
      call(
        api.DELETE('/api/orgs/{orgId}/credentials/{credentialId}', {
          params: { path: { orgId: org.id, credentialId: credential.id } },
        }),
      ),
    onSuccess: async (_data, credential) => {
      setDeleting(null);
      setAnnouncement(`“${credential.name}” was deleted.`);
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'credentials') });
    },
  });
  const columns: Column<Credential>[] = [
    { header: 'Name', rowHeader: true, cell: (credential) => credential.name },
    { header: 'Kind', cell: (credential) => KIND_LABELS[credential.kind] },
    { header: 'Hint', cell: (credential) => <code className="hint">{credential.hint}</code> },
    { header: 'Last changed', cell: (credential) => <Time iso={credential.updatedAt} /> },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (credential) => (
        <>
          <Button onClick={() => setReplacing(credential)}>
            Replace value<span className="visually-hidden"> of {credential.name}</span>
          </Button>
          <Button variant="danger" onClick={() => setDeleting(credential)}>
            Delete<span className="visually-hidden"> {credential.name}</span>
          </Button>
        </>
      ),
    },
  ];
  return (
    <>
      <PageHeader
        title="Credentials"
        description="Passwords, keys and tokens Steward uses on your behalf. They are sealed in the vault and every use is recorded."
      />
      <CredentialForm orgId={org.id} />
      <section aria-labelledby="stored-credentials" className="section">
        <h2 id="stored-credentials">Stored credentials</h2>
        <LiveStatus message={announcement} />
        <QueryTable
          query={credentials}
          loading="Loading credentials"
          failed="Credentials could not be loaded"
          caption="Stored credentials"
          columns={columns}
          rowKey={(credential) => credential.id}
          empty={
            <EmptyState title="No credentials yet">Add one above. Steward will only ever show its hint.</EmptyState>
          }
        />
      </section>
      <ReplaceValueDialog
        orgId={org.id}
        credential={replacing}
        onClose={(replaced) => {
          setReplacing(null);
          if (replaced)
            setAnnouncement(`The value of “${replaced.name}” was replaced. Its hint is now ${replaced.hint}.`);
        }}
      />
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ''}”?`}
        confirmText={deleting?.name ?? ''}
        confirmLabel="Delete credential"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => deleting && remove.mutate(deleting)}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
      >
        <p>
          The sealed value is destroyed. Anything in Steward that uses this credential will stop working until you add
          it again.
        </p>
      </ConfirmDialog>
    </>
  );
}
