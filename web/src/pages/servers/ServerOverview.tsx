import { Link } from 'react-router';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { Fingerprint } from '../../components/Fingerprint';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { alertTone, SERVER_STATUS } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useAccounts } from '../providers/queries';
import { Discovery } from './Discovery';
import { Onboarding } from './Onboarding';
import { useAlerts, useFacts } from './queries';
import { useServerPage } from './ServerLayout';

const HOST_KEY_SOURCE: Record<string, string> = {
  provided: 'Checked against the fingerprint you gave',
  provider: 'Reported by the cloud provider at launch',
  provider_console: 'Read from the instance’s console through the provider, before the first login',
  first_contact: 'Trusted at first contact (unverified)',
};

/** A server at a glance: how it is reached, how it is recognised, what discovery found, what needs attention. */
export function ServerOverview() {
  const org = useOrg();
  const { server, base } = useServerPage();
  const facts = useFacts(org.id, server.id, server.status === 'ready' || server.status === 'enrolling');
  const alerts = useAlerts(org.id, true);
  const accounts = useAccounts(org.id);
  const mine = alerts.data?.filter((a) => a.serverId === server.id) ?? [];
  const discovered = Boolean(facts.data);
  const account = server.provider ? accounts.data?.find((a) => a.id === server.provider?.accountId) : undefined;
  const fresh =
    !discovered &&
    !facts.isPending &&
    server.status !== 'blocked' &&
    server.status !== 'removing' &&
    server.status !== 'remove_failed';
  return (
    <>
      {fresh && <Onboarding server={server} discovered={discovered} />}
      {mine.length > 0 && (
        <section className="section" aria-labelledby="server-alerts">
          <h2 id="server-alerts">Open alerts</h2>
          <ul className="plain-list">
            {mine.map((a) => (
              <li key={a.id}>
                <Badge tone={alertTone(a.severity)}>{a.severity}</Badge> {a.title}{' '}
                <span className="muted small">
                  <Ago iso={a.createdAt} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="grid-2 section">
        <section className="card" aria-labelledby="access-title">
          <h2 id="access-title">Access</h2>
          <KeyValues
            items={[
              [
                'Status',
                <>
                  {SERVER_STATUS[server.status].label}
                  {server.statusReason && server.status !== 'blocked' ? (
                    <span className="muted">: {server.statusReason}</span>
                  ) : null}
                </>,
              ],
              [
                'Logs in with',
                server.login === 'org_key'
                  ? 'The organisation’s SSH key'
                  : 'The first-login credential (until enrolled)',
              ],
              ['Last contact', <Ago iso={server.lastContactAt} />],
              ['Added', <Time iso={server.createdAt} />],
              [
                'Cloud',
                server.provider ? (
                  <>
                    {account ? <Link to={`/orgs/${org.id}/instances`}>{account.name}</Link> : 'Cloud account'}
                    {server.provider.nodeId && <span className="mono small"> {server.provider.nodeId}</span>}
                  </>
                ) : (
                  'Added by address'
                ),
              ],
            ]}
          />
        </section>
        <section className="card" aria-labelledby="hostkey-title">
          <h2 id="hostkey-title">Host key</h2>
          <KeyValues
            items={[
              [
                'Pinned fingerprint',
                <Fingerprint value={server.hostKey?.fingerprint} empty="not pinned yet (first login pending)" />,
              ],
              [
                'How it was pinned',
                server.hostKey?.source ? (HOST_KEY_SOURCE[server.hostKey.source] ?? server.hostKey.source) : '—',
              ],
              ['Pinned', <Time iso={server.hostKey?.pinnedAt} />],
            ]}
          />
          {server.hostKey?.source === 'first_contact' && (
            <p className="muted small">
              Compare it with <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> on the server to be sure.
            </p>
          )}
        </section>
      </div>
      {facts.isPending ? (
        <Loading label="Loading what discovery found" />
      ) : (
        <ErrorNotice error={facts.error} title="Facts could not be loaded" onRetry={() => void facts.refetch()} />
      )}
      {!facts.isPending && !facts.error && <Discovery server={server} latest={facts.data ?? null} base={base} />}
    </>
  );
}
