import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { SoonBadge } from '../../components/Badge';
import { PageHeader } from '../../components/PageHeader';
import { Time } from '../../components/Time';
import { comingAreas } from '../../layout/nav';
import { useOrg } from './OrgScope';
import { useCredentials, useMembers, useOrgAudit, useOrgDetails, useOrgJobs } from './queries';
import { RenameOrg } from './RenameOrg';

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

/** The organisation at a glance: what exists today, and what is coming (clearly marked, with no made-up data). */
export function Overview() {
  const org = useOrg();
  const details = useOrgDetails(org.id);
  const members = useMembers(org.id);
  const credentials = useCredentials(org.id);
  const jobs = useOrgJobs(org.id, undefined);
  const audit = useOrgAudit(org.id, { limit: 1 });
  const failed = jobs.data?.filter((j) => j.status === 'failed').length ?? 0;
  const base = `/orgs/${org.id}`;
  return (
    <>
      <PageHeader
        title={details.data?.name ?? org.name}
        description={
          <>
            You are {org.role === 'owner' ? 'an owner' : 'a member'} of this organisation{details.data ? <>, created <Time iso={details.data.createdAt} /></> : null}.
          </>
        }
      />
      <section aria-label="Summary" className="stats">
        <Stat label="Members" value={count(members.data)} to={`${base}/members`} />
        <Stat label="Credentials" value={count(credentials.data)} to={`${base}/credentials`} detail="Sealed; shown only as hints" />
        <Stat label="Jobs" value={count(jobs.data)} to={`${base}/jobs`} detail={failed > 0 ? `${failed} failed` : 'None failed'} />
        <Stat label="Latest audit entry" value={audit.data?.[0]?.action ?? (audit.isPending ? '…' : 'None')} to={`${base}/audit`} detail={<Time iso={audit.data?.[0]?.at} empty="" />} />
      </section>
      {org.role === 'owner' && <RenameOrg orgId={org.id} currentName={details.data?.name ?? org.name} />}
      <section aria-labelledby="coming-heading" className="section">
        <h2 id="coming-heading">Coming to Steward</h2>
        <p className="muted">These parts of the console arrive with the capabilities behind them. Nothing is shown for them until they are real.</p>
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
    </>
  );
}
