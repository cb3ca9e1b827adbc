import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { Server, ServerStatus } from '../../api/types';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { EmptyState } from '../../components/EmptyState';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { PageHeader } from '../../components/PageHeader';
import { QueryTable } from '../../components/QueryTable';
import type { Column } from '../../components/SimpleTable';
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
  const matches = (s: Server) =>
    (!needle || s.name.toLowerCase().includes(needle) || s.address.toLowerCase().includes(needle)) &&
    (!status || s.status === status) &&
    (!source || (source === BY_ADDRESS ? !s.provider : s.provider?.accountId === source));
  const shown = all.filter(matches);
  const attention = all.filter((s) =>
    ['blocked', 'unreachable', 'enrol_failed', 'remove_failed'].includes(s.status),
  ).length;
  const base = `/orgs/${org.id}`;
  const columns: Column<Server>[] = [
    {
      header: 'Server',
      rowHeader: true,
      cell: (s) => (
        <>
          <Link to={`${base}/servers/${s.id}`}>{s.name}</Link>
          <span className="muted mono small party-id">
            {s.username}@{s.address}
            {s.port === 22 ? '' : `:${s.port}`}
          </span>
        </>
      ),
    },
    {
      header: 'Cloud',
      cell: (s) => {
        const state = s.provider?.nodeId
          ? instanceState.get(`${s.provider.accountId}/${s.provider.nodeId}`)
          : undefined;
        return (
          <>
            {s.provider ? (accountName.get(s.provider.accountId) ?? 'Cloud account') : 'Added by address'}
            {state && (
              <span className="muted small party-id">Instance {INSTANCE_STATE[state].label.toLowerCase()}</span>
            )}
          </>
        );
      },
    },
    {
      header: 'Status',
      cell: (s) => (
        <>
          <Badge tone={SERVER_STATUS[s.status].tone}>{SERVER_STATUS[s.status].label}</Badge>
          {SERVER_STATUS[s.status].moving && <span className="spinner inline" aria-hidden="true" />}
        </>
      ),
    },
    {
      header: 'Health',
      cell: (s) => {
        const alerts = openAlerts.get(s.id) ?? 0;
        return alerts > 0 ? (
          <Badge tone="danger">
            {alerts} open alert{alerts === 1 ? '' : 's'}
          </Badge>
        ) : s.status === 'ready' ? (
          <span>Healthy</span>
        ) : (
          <span className="muted">{SERVER_STATUS[s.status].help}</span>
        );
      },
    },
    { header: 'Last contact', className: 'nowrap', cell: (s) => <Ago iso={s.lastContactAt} /> },
  ];

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
      <QueryTable
        query={servers}
        loading="Loading servers"
        failed="Servers could not be loaded"
        select={(data) => data.filter(matches)}
        caption={`Servers of ${org.name}`}
        columns={columns}
        rowKey={(s) => s.id}
        empty={
          all.length === 0 ? (
            <EmptyState title="No servers yet">
              <p>
                Add a server you already have by its address, launch one in a connected cloud account, or{' '}
                <Link to={`${base}/get-started`}>try the sandbox clouds</Link> on this machine.
              </p>
            </EmptyState>
          ) : (
            <EmptyState title="No server matches these filters" />
          )
        }
      />
    </>
  );
}
