import { Link } from 'react-router';
import { duration, kib, readFacts } from '../../api/facts';
import type { Server, ServerFacts } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Button } from '../../components/Button';
import { KeyValues } from '../../components/KeyValues';
import { Loading } from '../../components/Loading';
import { ErrorNotice } from '../../components/ErrorNotice';
import { useOrg } from '../org/OrgScope';
import { ChangeList } from './ChangeList';
import { Counts } from './Counts';
import { useFoundSecrets, useSnapshots } from './queries';
import { useDiscoverNow } from './useDiscoverNow';

/** What the latest discovery found, what changed since the run before, and discovering again. */
export function Discovery({ server, latest, base }: { server: Server; latest: ServerFacts | null; base: string }) {
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
