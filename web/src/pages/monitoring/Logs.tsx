import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { api, call } from '../../api/client';
import { Button } from '../../components/Button';
import { SelectField } from '../../components/SelectField';
import { TextField } from '../../components/TextField';
import { PageHeader } from '../../components/PageHeader';
import { QueryState } from '../../components/QueryState';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServers } from '../servers/queries';

const SOURCES = [
  ['auth', 'Authentication'],
  ['system', 'System'],
  ['web', 'Web server'],
  ['other', 'Other'],
] as const;
type Source = (typeof SOURCES)[number][0];
const isSource = (v: string | null): v is Source => SOURCES.some(([s]) => s === v);

/** Lines Steward followed in the servers' logs (already redacted), newest first, searched by words. */
export function Logs() {
  const org = useOrg();
  const [params, setParams] = useSearchParams();
  const text = params.get('q') ?? '';
  const serverId = params.get('server') ?? '';
  const rawSource = params.get('source');
  const source = isSource(rawSource) ? rawSource : '';
  const servers = useServers(org.id);
  const names = new Map((servers.data ?? []).map((s) => [s.id, s.name]));
  const lines = useQuery({
    queryKey: orgKey(org.id, 'logs', text, serverId, source),
    queryFn: async () =>
      (
        await call(
          api.GET('/api/orgs/{orgId}/logs', {
            params: {
              path: { orgId: org.id },
              query: {
                limit: 200,
                ...(text ? { text } : {}),
                ...(serverId ? { serverId } : {}),
                ...(source ? { source } : {}),
              },
            },
          }),
        )
      ).lines,
    placeholderData: keepPreviousData,
  });
  type Line = NonNullable<typeof lines.data>[number];
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next: Record<string, string> = {};
    for (const [key, name] of [
      ['q', 'q'],
      ['server', 'server'],
      ['source', 'source'],
    ] as const) {
      const v = String(form.get(name) ?? '').trim();
      if (v) next[key] = v;
    }
    setParams(next, { replace: true });
  };
  const columns: Column<Line>[] = [
    { header: 'Time', cell: (l) => <Time iso={l.observedAt} />, className: 'nowrap' },
    { header: 'Server', cell: (l) => names.get(l.serverId) ?? 'A removed server' },
    { header: 'Log', cell: (l) => <span className="mono small">{l.path}</span> },
    { header: 'Line', rowHeader: true, cell: (l) => <span className="mono log-line">{l.line}</span> },
  ];
  return (
    <>
      <PageHeader
        title="Logs"
        description="Lines Steward read from the authentication, system and web server logs of monitored servers. Passwords, tokens and Authorization headers are removed before a line is stored."
      />
      <form
        className="filters"
        role="search"
        aria-label="Search logs"
        onSubmit={submit}
        key={`${text}|${serverId}|${source}`}
      >
        <TextField
          label="Words"
          name="q"
          type="search"
          defaultValue={text}
          hint="Case does not matter; * and ? are taken literally."
        />
        <SelectField label="Server" name="server" defaultValue={serverId}>
          <option value="">All servers</option>
          {(servers.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Source" name="source" defaultValue={source}>
          <option value="">All logs</option>
          {SOURCES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="primary">
          Search
        </Button>
      </form>
      <QueryState query={lines} loading="Searching the logs" failed="The logs could not be searched">
        {(data) => (
          <>
            <p className="muted small" role="status">
              {data.length === 200
                ? 'The newest 200 matching lines.'
                : `${data.length} matching line${data.length === 1 ? '' : 's'}.`}
            </p>
            <SimpleTable
              caption="Log lines, newest first"
              columns={columns}
              rows={data}
              rowKey={(l) => String(l.id)}
              empty={
                text || serverId || source
                  ? 'No line matches.'
                  : 'No lines yet: logs are read while a server is monitored.'
              }
            />
          </>
        )}
      </QueryState>
    </>
  );
}
