import { Link } from 'react-router';
import { duration, kib, readFacts, type Facts } from '../../api/facts';
import type { Server, ServerFacts } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Fingerprint } from '../../components/Fingerprint';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/Notice';
import { Stages } from '../../components/Stages';
import { alertTone, SERVER_STATUS } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useAccounts } from '../providers/queries';
import { ChangeList } from './ChangeList';
import { useAlerts, useFacts, useFoundSecrets, useSnapshots } from './queries';
import { useServerPage } from './ServerLayout';
import { useDiscoverNow } from './useDiscoverNow';

const ONBOARD_STAGES = [
  { id: 'added', label: 'Added' },
  {
    id: 'login',
    label: 'First login',
    hint: 'Steward logs in, checks the host key and installs the organisation’s key.',
  },
  {
    id: 'discover',
    label: 'Discovery',
    hint: 'One login collects the system, packages, services, ports, users, keys and logs.',
  },
  { id: 'done', label: 'Ready' },
];

const HOST_KEY_SOURCE: Record<string, string> = {
  provided: 'Checked against the fingerprint you gave',
  provider: 'Reported by the cloud provider at launch',
  provider_console: 'Read from the instance’s console through the provider, before the first login',
  first_contact: 'Trusted at first contact (unverified)',
};

/** Where a new server has got to: first login, then its first discovery. */
function Onboarding({ server, discovered }: { server: Server; discovered: boolean }) {
  const failed = ['enrol_failed', 'unreachable'].includes(server.status);
  const current = server.status === 'enrolling' || failed ? 'login' : discovered ? 'done' : 'discover';
  return (
    <section className="section card" aria-labelledby="onboarding-title">
      <h2 id="onboarding-title">Getting to know {server.name}</h2>
      <Stages
        label="Progress of adding the server"
        stages={ONBOARD_STAGES}
        current={current}
        failed={failed}
        complete={discovered && server.status === 'ready'}
      />
      {failed && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">{SERVER_STATUS[server.status].label}</p>
          <p>{server.statusReason ?? SERVER_STATUS[server.status].help}</p>
          <p>Check the address, port and first-login credential, then remove this server and add it again.</p>
        </div>
      )}
    </section>
  );
}

function Counts({ facts, base, secrets }: { facts: Facts; base: string; secrets: number }) {
  const running = facts.services.filter((s) => s.state === 'running').length;
  const items: [string, string, string][] = [
    ['Packages', String(facts.packages.length), 'packages'],
    ['Services running', String(running), 'services'],
    ['Listening ports', String(facts.ports.length), 'ports'],
    ['Administrators', String(facts.admins.effective.length), 'users'],
    ['Keys and certificates', String(facts.sshKeys.authorized.length + facts.certificates.length), 'keys'],
    ['Found credentials', String(secrets), '../found-credentials'],
  ];
  return (
    <ul className="count-grid" aria-label="What discovery found">
      {items.map(([label, value, to]) => (
        <li key={label}>
          <Link className="count card" to={to.startsWith('..') ? `${base}/found-credentials` : `${base}/facts/${to}`}>
            <span className="stat-value">{value}</span>
            <span className="stat-label">{label}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

function Discovery({ server, latest, base }: { server: Server; latest: ServerFacts | null; base: string }) {
  const org = useOrg();
  const discover = useDiscoverNow(org.id, server.id);
  const snapshots = useSnapshots(org.id, server.id);
  const secrets = useFoundSecrets(org.id, server.id);
  const facts = latest ? readFacts(latest.facts) : null;
  const last = snapshots.data?.[0];
  return (
    <section className="section" aria-labelledby="discovery-title">
      <div className="section-head">
        <h2 id="discovery-title">What Steward knows</h2>
        <Button
          onClick={discover.start}
          busy={discover.starting || discover.running}
          busyLabel="Discovering"
          disabled={server.status !== 'ready'}
        >
          Discover now
        </Button>
      </div>
      <div role="status" className="muted">
        {discover.running && discover.runId && (
          <>
            Discovery is running. <Link to={`/orgs/${org.id}/tasks/${discover.runId}`}>Follow the run</Link>.
          </>
        )}
        {discover.outcome &&
          `The discovery run ${discover.outcome === 'succeeded' ? 'finished' : discover.outcome === 'failed' ? 'failed; see the run for why' : 'ended'}.`}
      </div>
      <ErrorNotice error={discover.error} title="Discovery did not start" />
      {!facts && (
        <p className="muted">
          Nothing discovered yet.{' '}
          {server.status === 'ready'
            ? 'The first discovery runs right after the first login.'
            : 'Discovery starts once Steward can log in.'}
        </p>
      )}
      {facts && latest && (
        <>
          <p>
            {latest.summary}{' '}
            <span className="muted">
              Collected <Ago iso={latest.takenAt} />
              {facts.complete ? '' : ' (incomplete: see the notes under Facts)'}.
            </span>
          </p>
          <div className="grid-2">
            <div className="card">
              <h3>System</h3>
              <KeyValues
                items={[
                  ['Operating system', facts.os.prettyName ?? facts.os.name ?? '—'],
                  ['Host name', facts.identity.fqdn ?? facts.identity.hostname ?? '—'],
                  ['Up for', duration(facts.os.uptimeSeconds)],
                  [
                    'CPU',
                    facts.performance.cpu.count
                      ? `${facts.performance.cpu.count} × ${facts.performance.cpu.model ?? 'CPU'}`
                      : '—',
                  ],
                  [
                    'Memory',
                    facts.performance.memory.totalKb
                      ? `${kib(facts.performance.memory.availableKb)} free of ${kib(facts.performance.memory.totalKb)}`
                      : '—',
                  ],
                  ['Load', facts.performance.load ? facts.performance.load.map((n) => n.toFixed(2)).join(' · ') : '—'],
                ]}
              />
            </div>
            <div className="card">
              <h3>Changes since the run before</h3>
              {snapshots.isPending && <Loading label="Loading changes" />}
              {last && snapshots.data?.length === 1 && (
                <p className="muted">This was the first discovery; the next one will show what changed.</p>
              )}
              {last && (snapshots.data?.length ?? 0) > 1 && last.changes.length === 0 && (
                <p className="muted">Nothing changed between the last two runs.</p>
              )}
              {last && (snapshots.data?.length ?? 0) > 1 && last.changes.length > 0 && (
                <ChangeList changes={last.changes.slice(0, 8)} />
              )}
              {last && last.changes.length > 8 && (
                <p>
                  <Link to={`${base}/changes`}>All {last.changes.length} changes</Link>
                </p>
              )}
            </div>
          </div>
          <Counts facts={facts} base={base} secrets={secrets.data?.filter((s) => !s.goneAt).length ?? 0} />
        </>
      )}
    </section>
  );
}

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
