import { Link, useParams } from 'react-router';
import { ApiError, isApiError, nextStepFor, type ErrorCode } from '../../api/errors';
import { readFacts } from '../../api/facts';
import { EmptyState } from '../../components/EmptyState';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { PageHeader } from '../../components/PageHeader';
import { Stages } from '../../components/Stages';
import { LAUNCH_STAGE } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useLaunch } from '../providers/queries';
import { useFacts } from '../servers/queries';

const ORDER = ['queued', 'creating', 'waiting', 'enrolling', 'ready'] as const;
const STAGES = [
  ...ORDER.map((id) => ({ id, label: LAUNCH_STAGE[id].label, hint: LAUNCH_STAGE[id].hint })),
  { id: 'discovered', label: 'Discovered', hint: 'Steward’s first look at what runs on the server.' },
];

/** The server's first discovery, right after the launch is ready. */
function Discovered({ serverId }: { serverId: string }) {
  const org = useOrg();
  const facts = useFacts(org.id, serverId, true);
  if (!facts.data)
    return (
      <p role="status" className="muted">
        Discovering the new server…
      </p>
    );
  const f = readFacts(facts.data.facts);
  return (
    <div className="notice notice-ok" role="status">
      <p className="notice-title">Discovered</p>
      <p>{facts.data.summary}</p>
      <KeyValues
        items={[
          ['Operating system', f.os.prettyName ?? '—'],
          ['Packages', String(f.packages.length)],
          ['Listening ports', String(f.ports.length)],
        ]}
      />
    </div>
  );
}

/** Follows one launch through its stages to a ready, discovered server, or says why it failed and what to do. */
export function LaunchProgress() {
  const org = useOrg();
  const { accountId = '', token = '' } = useParams();
  const launch = useLaunch(org.id, accountId, token);
  const serverFacts = useFacts(org.id, launch.data?.stage === 'ready' ? launch.data.serverId : null, true);
  if (launch.isPending) return <Loading label="Loading the launch" />;
  if (!launch.data) {
    return (
      <>
        <PageHeader title="Launch" />
        {isApiError(launch.error, 'STEWARD_NOT_FOUND') ? (
          <EmptyState title="There is no such launch." />
        ) : (
          <ErrorNotice
            error={launch.error}
            title="The launch could not be loaded"
            onRetry={() => void launch.refetch()}
          />
        )}
      </>
    );
  }
  const l = launch.data;
  const failed = l.stage === 'failed';
  // A failed launch shows the stage it reached: the instance exists once it has an id, an address once waiting is over.
  const reached = failed
    ? l.serverId
      ? 'enrolling'
      : l.address
        ? 'enrolling'
        : l.instanceId
          ? 'waiting'
          : 'creating'
    : l.stage === 'adopted'
      ? 'enrolling'
      : l.stage;
  const discovered = Boolean(l.serverId && serverFacts.data);
  const current = l.stage === 'ready' ? 'discovered' : reached;
  const failure = l.error ? new ApiError(l.error.code as ErrorCode, l.error.message, 0, undefined, undefined) : null;
  return (
    <>
      <p className="breadcrumb">
        <Link to={`/orgs/${org.id}/instances`}>Cloud instances</Link> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={`Launching ${l.name}`}
        description={
          <>
            Started <Time iso={l.createdAt} />. This page follows the launch by itself.
          </>
        }
      />
      <section className="section card" aria-label="Launch progress">
        <Stages label="Launch stages" stages={STAGES} current={current} failed={failed} complete={discovered} />
        <p role="status" className="muted small">
          {failed ? 'The launch failed.' : `${LAUNCH_STAGE[l.stage].label}: ${LAUNCH_STAGE[l.stage].hint}`}
        </p>
      </section>
      {failure && (
        <div className="notice notice-error section" role="alert">
          <p className="notice-title">The launch failed</p>
          <p>{failure.message}</p>
          <p>
            {nextStepFor(failure) ??
              (l.instanceId
                ? 'The instance may still exist at the provider: check Cloud instances, and terminate or import it.'
                : 'Nothing was created. Check the account, size and image, then launch again.')}
          </p>
        </div>
      )}
      <section className="section card" aria-labelledby="launch-details">
        <h2 id="launch-details">Details</h2>
        <KeyValues
          items={[
            ['Instance', l.instanceId ? <span className="mono">{l.instanceId}</span> : 'not created yet'],
            ['Address', l.address ? <span className="mono">{l.address}</span> : 'not yet'],
            ['Size', l.sizeId],
            ['Image', <span className="mono">{l.imageId}</span>],
            ['SSH user', l.sshUser],
          ]}
        />
      </section>
      {l.stage === 'ready' && l.serverId && (
        <section className="section" aria-label="The new server">
          <Discovered serverId={l.serverId} />
          <p className="row">
            <Link className="btn btn-primary" to={`/orgs/${org.id}/servers/${l.serverId}`}>
              Open the server
            </Link>
            <Link className="btn btn-secondary" to={`/orgs/${org.id}/servers/${l.serverId}/tasks`}>
              Run a task on it
            </Link>
          </p>
        </section>
      )}
    </>
  );
}
