import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Server, ServerStatus } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField, TextField } from '../../components/Field';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { INSTANCE_STATE, SERVER_STATUS, SERVER_STATUSES } from '../../components/status';
import { useOrg } from '../org/OrgScope';
import { useAccounts, useInstances } from '../providers/queries';
import { useAlerts, useServers } from './queries';

const BY_ADDRESS = 'address';

/** Every server of the organisation, whichever cloud it runs on, with its status and health; filters live in the address. */
export function ServersList() {
  const org = useOrg();
  const servers = useServers(org.id);
  const accounts = useAccounts(org.id);
  const hasProviderServers = servers.data?.some((s) => s.provider) ?? false;
  const instances = useInstances(org.id, hasProviderServers);
  const alerts = useAlerts(org.id, true);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = (params.get('status') ?? '') as ServerStatus | '';
  const source = params.get('source') ?? '';
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  const accountName = useMemo(
    () =>
      new Map((accounts.data ?? []).map((a) => [a.id, `${a.name} (${a.provider === 'ec2' ? 'EC2' : 'ElasticHosts'})`])),
    [accounts.data],
  );
  const instanceState = useMemo(
    () => new Map((instances.data?.instances ?? []).map((i) => [`${i.accountId}/${i.id}`, i.state])),
    [instances.data],
  );
  const openAlerts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const a of alerts.data ?? []) if (a.serverId) counts.set(a.serverId, (counts.get(a.serverId) ?? 0) + 1);
    return counts;
  }, [alerts.data]);

  const all = servers.data ?? [];
  const needle = q.trim().toLowerCase();
  const shown = all.filter(
    (s) =>
      (!needle || s.name.toLowerCase().includes(needle) || s.address.toLowerCase().includes(needle)) &&
      (!status || s.status === status) &&
      (!source || (source === BY_ADDRESS ? !s.provider : s.provider?.accountId === source)),
  );
  const attention = all.filter((s) =>
    ['blocked', 'unreachable', 'enrol_failed', 'remove_failed'].includes(s.status),
  ).length;
  const base = `/orgs/${org.id}`;

  return (
    <>
      <PageHeader
        title="Servers"
        description="Every server Steward looks after, on any cloud or added by its address."
        actions={
          <>
            <Link className="btn btn-secondary" to={`${base}/instances/launch`}>
              Launch an instance
            </Link>
            <Link className="btn btn-primary" to={`${base}/servers/new`}>
              Add a server
            </Link>
          </>
        }
      />
      {all.length > 0 && (
        <form
          className="filters"
          role="search"
          aria-label="Filter servers"
          onSubmit={(event) => event.preventDefault()}
        >
          <TextField
            label="Name or address"
            type="search"
            value={q}
            onChange={(event) => setFilter('q', event.target.value)}
            spellCheck={false}
          />
          <SelectField label="Status" value={status} onChange={(event) => setFilter('status', event.target.value)}>
            <option value="">Any status</option>
            {SERVER_STATUSES.map((s) => (
              <option key={s} value={s}>
                {SERVER_STATUS[s].label}
              </option>
            ))}
          </SelectField>
          <SelectField label="Cloud" value={source} onChange={(event) => setFilter('source', event.target.value)}>
            <option value="">All clouds</option>
            <option value={BY_ADDRESS}>Added by address (SSH)</option>
            {(accounts.data ?? []).map((a) => (
              <option key={a.id} value={a.id}>
                {accountName.get(a.id)}
              </option>
            ))}
          </SelectField>
        </form>
      )}
      <p role="status" className="muted">
        {servers.data
          ? `${shown.length === all.length ? `${all.length} server${all.length === 1 ? '' : 's'}` : `${shown.length} of ${all.length} servers shown`}${attention > 0 ? `; ${attention} need${attention === 1 ? 's' : ''} attention` : ''}.`
          : ''}
      </p>
      <QueryState query={servers} loading="Loading servers" failed="Servers could not be loaded" />
      {servers.data && all.length === 0 && (
        <EmptyState title="No servers yet">
          <p>
            Add a server you already have by its address, launch one in a connected cloud account, or{' '}
            <Link to={`${base}/get-started`}>try the sandbox clouds</Link> on this machine.
          </p>
        </EmptyState>
      )}
      {all.length > 0 && shown.length === 0 && <EmptyState title="No server matches these filters" />}
      {shown.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="visually-hidden">Servers of {org.name}</caption>
            <thead>
              <tr>
                <th scope="col">Server</th>
                <th scope="col">Cloud</th>
                <th scope="col">Status</th>
                <th scope="col">Health</th>
                <th scope="col">Last contact</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <ServerRow
                  key={s.id}
                  server={s}
                  base={base}
                  cloud={s.provider ? (accountName.get(s.provider.accountId) ?? 'Cloud account') : 'Added by address'}
                  instanceState={
                    s.provider?.nodeId ? instanceState.get(`${s.provider.accountId}/${s.provider.nodeId}`) : undefined
                  }
                  alerts={openAlerts.get(s.id) ?? 0}
                />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ServerRow({
  server,
  base,
  cloud,
  instanceState,
  alerts,
}: {
  server: Server;
  base: string;
  cloud: string;
  instanceState: keyof typeof INSTANCE_STATE | undefined;
  alerts: number;
}) {
  const look = SERVER_STATUS[server.status];
  return (
    <tr>
      <th scope="row">
        <Link to={`${base}/servers/${server.id}`}>{server.name}</Link>
        <span className="muted mono small party-id">
          {server.username}@{server.address}
          {server.port === 22 ? '' : `:${server.port}`}
        </span>
      </th>
      <td>
        {cloud}
        {instanceState && (
          <span className="muted small party-id">Instance {INSTANCE_STATE[instanceState].label.toLowerCase()}</span>
        )}
      </td>
      <td>
        <Badge tone={look.tone}>{look.label}</Badge>
        {look.moving && <span className="spinner inline" aria-hidden="true" />}
      </td>
      <td>
        {alerts > 0 ? (
          <Badge tone="danger">
            {alerts} open alert{alerts === 1 ? '' : 's'}
          </Badge>
        ) : server.status === 'ready' ? (
          <span>Healthy</span>
        ) : (
          <span className="muted">{look.help}</span>
        )}
      </td>
      <td className="nowrap">
        <Ago iso={server.lastContactAt} />
      </td>
    </tr>
  );
}
