import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { ApiToken } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { LiveStatus } from '../../components/LiveStatus';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { TOKENS_KEY } from './keys';
import { TokenForm } from './TokenForm';

function stateOf(token: ApiToken) {
  if (token.revokedAt) return <Badge tone="neutral">Revoked</Badge>;
  if (token.expiresAt && Date.parse(token.expiresAt) <= Date.now()) return <Badge tone="warn">Expired</Badge>;
  return <Badge tone="ok">Active</Badge>;
}

/** API tokens for the CLI and scripts: the value is shown once at creation, then only its name and use. */
export function Tokens() {
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: TOKENS_KEY,
    queryFn: async () => (await call(api.GET('/api/me/tokens'))).tokens,
  });
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const revoke = useMutation({
    mutationFn: (token: ApiToken) =>
      call(api.DELETE('/api/me/tokens/{tokenId}', { params: { path: { tokenId: token.id } } })),
    onSuccess: async (_data, token) => {
      setRevoking(null);
      setAnnouncement(`“${token.name}” is revoked; anything using it is refused from now on.`);
      await queryClient.invalidateQueries({ queryKey: TOKENS_KEY });
    },
  });
  const columns: Column<ApiToken>[] = [
    { header: 'Name', rowHeader: true, cell: (token) => token.name },
    { header: 'State', cell: stateOf },
    { header: 'Created', cell: (token) => <Time iso={token.createdAt} /> },
    { header: 'Last used', cell: (token) => <Time iso={token.lastUsedAt} empty="Never" /> },
    { header: 'Expires', cell: (token) => <Time iso={token.expiresAt} empty="Never" /> },
    {
      header: 'Actions',
      headerHidden: true,
      className: 'actions',
      cell: (token) =>
        !token.revokedAt && (
          <Button variant="danger" onClick={() => setRevoking(token)}>
            Revoke<span className="visually-hidden"> {token.name}</span>
          </Button>
        ),
    },
  ];
  return (
    <>
      <PageHeader
        title="API tokens"
        description="Tokens let the steward CLI and your scripts act as you. Steward stores only a hash of each."
      />
      <TokenForm />
      <section className="section" aria-labelledby="tokens-heading">
        <h2 id="tokens-heading">Your tokens</h2>
        <LiveStatus message={announcement} />
        <QueryTable
          query={tokens}
          loading="Loading tokens"
          failed="Tokens could not be loaded"
          caption="Your API tokens"
          columns={columns}
          rowKey={(token) => token.id}
          empty={
            <EmptyState title="No API tokens">
              Create one above to use the CLI: <code>steward login</code> makes one for you too.
            </EmptyState>
          }
        />
      </section>
      <ConfirmDialog
        open={revoking !== null}
        title={`Revoke “${revoking?.name ?? ''}”?`}
        confirmText={revoking?.name ?? ''}
        confirmLabel="Revoke token"
        busy={revoke.isPending}
        error={revoke.error}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      >
        <p>Scripts and CLI logins using this token stop working at once. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
