import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, call } from '../../api/client';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { SelectField } from '../../components/SelectField';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { LazyWebTerminal } from '../../terminal/LazyWebTerminal';
import { useNow } from '../access/useNow';
import { ACTION_LABELS, REASON_LABELS, remaining, STATE_LOOK } from '../access/words';
import { GrantCertificate } from './GrantCertificate';
import { GrantCommand } from './GrantCommand';
import { GrantCredentials } from './GrantCredentials';
import { GrantFacts } from './GrantFacts';
import { GrantInstances } from './GrantInstances';
import { staffKey, useGrantServers, useStaffGrant } from './queries';

/** Work under one grant: its scope and time left, the recorded terminal on a server it covers, and releasing it. */
export function StaffGrantPage() {
  const { grantId = '' } = useParams();
  const grant = useStaffGrant(grantId);
  const active = grant.data?.state === 'active';
  const servers = useGrantServers(grantId, active);
  const queryClient = useQueryClient();
  const now = useNow(10_000);
  const [serverId, setServerId] = useState('');
  const [terminalOn, setTerminalOn] = useState<string | null>(null);
  const [releasing, setReleasing] = useState(false);
  const release = useMutation({
    mutationFn: () => call(api.POST('/api/staff/grants/{grantId}/release', { params: { path: { grantId } } })),
    onSuccess: async () => {
      setReleasing(false);
      await queryClient.invalidateQueries({ queryKey: staffKey() });
    },
  });
  if (grant.isPending) return <Loading label="Loading the grant" />;
  const g = grant.data;
  if (!g)
    return (
      <>
        <PageHeader title="Grant" />
        <ErrorNotice error={grant.error} title="The grant could not be loaded" onRetry={() => void grant.refetch()} />
      </>
    );
  const chosen = servers.data?.find((s) => s.id === (serverId || servers.data?.[0]?.id));
  const terminalServer = servers.data?.find((s) => s.id === terminalOn);
  const mayTerminal = g.scope.actions.includes('terminal');
  const mayTasks = g.scope.actions.includes('tasks');
  const mayFacts = g.scope.actions.includes('read_facts_logs');
  return (
    <>
      <p className="breadcrumb">
        <Link to="/staff/grants">My grants</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={`Grant ${g.id}`}
        badge={<Badge tone={STATE_LOOK[g.state].tone}>{STATE_LOOK[g.state].label}</Badge>}
        description={active ? remaining(g.endsAt, now) : undefined}
        actions={
          active ? (
            <Button variant="danger" onClick={() => setReleasing(true)}>
              Release the grant
            </Button>
          ) : undefined
        }
      />
      <div className="card section">
        <KeyValues
          items={[
            ['Customer', g.orgName],
            ['Reason', REASON_LABELS[g.reason]],
            ['Justification', g.justification],
            [
              'Support request',
              g.supportRequestId ? <Link to={`/staff/support/${g.supportRequestId}`}>Open the request</Link> : '—',
            ],
            ['Actions', g.scope.actions.map((a) => ACTION_LABELS[a]).join(' · ')],
            ['Started', <Time iso={g.startsAt} />],
            ['Ends', <Time iso={g.endsAt} />],
            [
              'Ended',
              g.endedAt ? (
                <>
                  <Time iso={g.endedAt} />
                  {g.endReason && ` (${g.endReason.replace(/_/g, ' ')})`}
                </>
              ) : (
                '—'
              ),
            ],
          ]}
        />
      </div>
      <section className="section stack" aria-labelledby="work-terminal">
        <h2 id="work-terminal">Work on a server</h2>
        {!active && <p className="muted">The grant is not active: nothing can be opened under it.</p>}
        <ErrorNotice error={servers.error} title="The grant’s servers could not be loaded" />
        {active && servers.data && servers.data.length === 0 && <p className="muted">The grant covers no servers.</p>}
        {active && (mayTerminal || mayTasks || mayFacts) && servers.data && servers.data.length > 0 && (
          <div className="row">
            <SelectField label="Server" value={chosen?.id ?? ''} onChange={(e) => setServerId(e.target.value)}>
              {servers.data.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.status})
                </option>
              ))}
            </SelectField>
            {mayTerminal && (
              <Button variant="primary" disabled={!chosen} onClick={() => setTerminalOn(chosen?.id ?? null)}>
                Open the terminal
              </Button>
            )}
          </div>
        )}
        {active && !mayTerminal && <p className="muted">This grant does not allow the web terminal.</p>}
        {/* Kept mounted after the grant ends, so the person reads why the session closed. */}
        {terminalServer && (
          <LazyWebTerminal
            key={terminalServer.id}
            orgId={g.orgId}
            serverId={terminalServer.id}
            serverName={terminalServer.name}
            grantId={g.id}
            canReconnect={active}
          />
        )}
      </section>
      {active && mayTasks && chosen && <GrantCommand key={chosen.id} grantId={g.id} server={chosen} />}
      {active && mayFacts && chosen && (
        <GrantFacts
          key={chosen.id}
          grantId={g.id}
          server={chosen}
          mayReveal={g.scope.actions.includes('reveal_secrets')}
        />
      )}
      {active && mayTerminal && chosen && <GrantCertificate key={chosen.id} grantId={g.id} server={chosen} />}
      {active && g.scope.actions.includes('provider_actions') && g.scope.accountIds.length > 0 && (
        <GrantInstances grantId={g.id} />
      )}
      {active && g.scope.actions.includes('reveal_secrets') && <GrantCredentials grantId={g.id} />}
      <ConfirmDialog
        open={releasing}
        title={`Release grant ${g.id}?`}
        confirmText={g.id}
        confirmLabel="Release the grant"
        busy={release.isPending}
        error={release.error}
        onConfirm={() => release.mutate()}
        onClose={() => {
          setReleasing(false);
          release.reset();
        }}
      >
        <p>Your access ends now and any terminal session under the grant closes. Release it when the work is done.</p>
      </ConfirmDialog>
    </>
  );
}
