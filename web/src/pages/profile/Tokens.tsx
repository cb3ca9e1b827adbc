import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, call } from '../../api/client';
import type { ApiToken } from '../../api/types';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { ErrorNotice, LiveStatus } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
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
        {tokens.isPending && <Loading label="Loading tokens" />}
        <ErrorNotice error={tokens.error} title="Tokens could not be loaded" onRetry={() => void tokens.refetch()} />
        {tokens.data?.length === 0 && (
          <EmptyState title="No API tokens">
            Create one above to use the CLI: <code>steward login</code> makes one for you too.
          </EmptyState>
        )}
        {tokens.data && tokens.data.length > 0 && (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">State</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.data.map((token) => (
                  <tr key={token.id}>
                    <th scope="row">{token.name}</th>
                    <td>{stateOf(token)}</td>
                    <td>
                      <Time iso={token.createdAt} />
                    </td>
                    <td>
                      <Time iso={token.lastUsedAt} empty="Never" />
                    </td>
                    <td>
                      <Time iso={token.expiresAt} empty="Never" />
                    </td>
                    <td className="actions">
                      {!token.revokedAt && (
                        <Button variant="danger" onClick={() => setRevoking(token)}>
                          Revoke<span className="visually-hidden"> {token.name}</span>
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
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
