import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { SoonBadge } from '../../components/SoonBadge';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { comingAreas } from '../../layout/nav';
import { useIncidents } from '../monitoring/queries';
import { useOnboarding } from '../onboarding/GetStarted';
import { useAccounts } from '../providers/queries';
import { useAlerts, useServers } from '../servers/queries';
import { useRuns } from '../tasks/queries';
import { useOrg } from './OrgScope';
import { useCredentials, useMembers, useOrgAudit, useOrgDetails } from './queries';
import { RenameOrg } from './RenameOrg';
import { Recommendations } from '../billing/Recommendations';

function Stat({ label, value, to, detail }: { label: string; value: string; to: string; detail?: ReactNode }) {
  return (
    <Link className="stat card" to={to}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      {detail && <span className="stat-detail">{detail}</span>}
    </Link>
  );
}

const count = (list: unknown[] | undefined) => (list ? String(list.length) : '…');

/** The organisation at a glance, the way in for newcomers, and what is still to come (with no made-up data). */
export function Overview() {
  const org = useOrg();
  const details = useOrgDetails(org.id);
  const members = useMembers(org.id);
  const credentials = useCredentials(org.id);
  const servers = useServers(org.id);
  const accounts = useAccounts(org.id);
  const alerts = useAlerts(org.id, true);
  const incidents = useIncidents(org.id, 'active');
  const runs = useRuns(org.id);
  const audit = useOrgAudit(org.id, { limit: 1 });
  const onboarding = useOnboarding(org.id);
  const attention =
    servers.data?.filter((s) => ['blocked', 'unreachable', 'enrol_failed', 'remove_failed'].includes(s.status))
      .length ?? 0;
  const running = runs.data?.filter((r) => r.status === 'running').length ?? 0;
  const base = `/orgs/${org.id}`;
  return (
    <>
      <PageHeader
        title={details.data?.name ?? org.name}
        description={
          <>
            You are {org.role === 'owner' ? 'an owner' : 'a member'} of this organisation
            {details.data ? (
              <>
                , created <Time iso={details.data.createdAt} />
              </>
            ) : null}
            .
          </>
        }
      />
      {!onboarding.loading && !onboarding.done && (
        <section className="section card onboarding-card" aria-labelledby="start-heading">
          <h2 id="start-heading">{onboarding.state.hasServer ? 'Finish getting started' : 'Start with a server'}</h2>
          <p>
            {onboarding.state.hasServer
              ? 'A few steps are left to see everything Steward does for a server.'
              : 'Nothing but this machine? Steward’s sandbox clouds launch real servers here, so you can see a server launched and discovered within minutes.'}
          </p>
          <Link className="btn btn-primary" to={`${base}/get-started`}>
            Get started
          </Link>
        </section>
      )}
      <section aria-label="Summary" className="stats">
        <Stat
          label="Servers"
          value={count(servers.data)}
          to={`${base}/servers`}
          detail={attention > 0 ? `${attention} need attention` : 'All in order'}
        />
        <Stat
          label="Open alerts"
          value={count(alerts.data)}
          to={`${base}/alerts`}
          detail={alerts.data?.length ? 'Needs a look' : 'None open'}
        />
        <Stat
          label="Open incidents"
          value={count(incidents.data)}
          to={`${base}/incidents`}
          detail={incidents.data?.some((i) => i.status === 'open') ? 'Waiting for you' : 'None waiting'}
        />
        <Stat
          label="Tasks"
          value={count(runs.data)}
          to={`${base}/tasks`}
          detail={running > 0 ? `${running} running` : 'None running'}
        />
        <Stat
          label="Cloud accounts"
          value={count(accounts.data)}
          to={`${base}/providers`}
          detail="Credentials shown only as hints"
        />
        <Stat label="Members" value={count(members.data)} to={`${base}/members`} />
        <Stat
          label="Credentials"
          value={count(credentials.data)}
          to={`${base}/credentials`}
          detail="Sealed; shown only as hints"
        />
        <Stat
          label="Latest audit entry"
          value={audit.data?.[0]?.action ?? (audit.isPending ? '…' : 'None')}
          to={`${base}/audit`}
          detail={<Time iso={audit.data?.[0]?.at} empty="" />}
        />
      </section>
      <Recommendations orgId={org.id} />
      {org.role === 'owner' && <RenameOrg orgId={org.id} currentName={details.data?.name ?? org.name} />}
      {/* Shown only while some area is still coming. */}
      {comingAreas().length > 0 && (
        <section aria-labelledby="coming-heading" className="section">
          <h2 id="coming-heading">Coming to Steward</h2>
          <p className="muted">
            These parts of the console arrive with the capabilities behind them. Nothing is shown for them until they
            are real.
          </p>
          <ul className="coming-grid">
            {comingAreas().map((area) => (
              <li key={area.path} className="card coming-card">
                <h3>
                  <Link to={`${base}/${area.path}`}>{area.label}</Link> <SoonBadge />
                </h3>
                <p>{area.coming?.summary}</p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
