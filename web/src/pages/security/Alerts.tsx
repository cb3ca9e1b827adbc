import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { useAlerts, useServers } from '../servers/queries';

const WHAT_TO_DO: Record<string, string> = {
  host_key_changed: 'Open the server and compare the new host key with the server’s own console before trusting it.',
};

/** What Steward's checks raised for this organisation; open ones first. Each says what to do about it. */
export function Alerts() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const show = params.get('show') === 'all' ? 'all' : 'open';
  const alerts = useAlerts(org.id, show === 'open');
  const servers = useServers(org.id);
  const names = useMemo(() => new Map((servers.data ?? []).map((s) => [s.id, s.name])), [servers.data]);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Raised by Steward’s own checks: a changed host key blocks the server at once. Monitoring thresholds and suspicious-activity findings will appear here too."
      />
      <form className="filters" role="search" aria-label="Filter alerts" onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label="Show"
          value={show}
          onChange={(event) => setParams(event.target.value === 'all' ? { show: 'all' } : {}, { replace: true })}
        >
          <option value="open">Open alerts</option>
          <option value="all">All alerts, resolved too</option>
        </SelectField>
      </form>
      <QueryState query={alerts} loading="Loading alerts" failed="Alerts could not be loaded" />
      {alerts.data?.length === 0 && (
        <EmptyState title={show === 'open' ? 'No open alerts' : 'No alerts yet'}>
          {show === 'open' ? 'Everything Steward checks is in order.' : 'Nothing was ever raised.'}
        </EmptyState>
      )}
      {alerts.data && alerts.data.length > 0 && (
        <ul className="alert-list">
          {alerts.data.map((a) => (
            <li key={a.id} className={`card alert-card${a.resolvedAt ? ' resolved' : ''}`}>
              <div className="alert-head">
                <Badge tone={a.resolvedAt ? 'neutral' : alertTone(a.severity)}>{a.severity}</Badge>
                <h2 className="alert-title">{a.title}</h2>
              </div>
              <p className="muted small">
                Raised <Ago iso={a.createdAt} />
                {a.resolvedAt ? (
                  <>
                    , resolved <Time iso={a.resolvedAt} />
                  </>
                ) : (
                  ''
                )}
                {a.serverId && (
                  <>
                    {' '}
                    · <Link to={`/orgs/${org.id}/servers/${a.serverId}`}>{names.get(a.serverId) ?? 'the server'}</Link>
                  </>
                )}
              </p>
              {!a.resolvedAt && WHAT_TO_DO[a.kind] && <p>{WHAT_TO_DO[a.kind]}</p>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
