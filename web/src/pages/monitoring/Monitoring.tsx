import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, call } from '../../api/client';
import type { components } from '../../api/schema';
import { Ago } from '../../components/Ago';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Dialog } from '../../components/Dialog';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import { EmptyState } from '../../components/EmptyState';
import { LineChart } from '../../components/LineChart';
import { Loading } from '../../components/Loading';
import { ErrorNotice, LiveStatus } from '../../components/Notice';
import { PageHeader } from '../../components/PageHeader';
import { RangePicker } from '../../components/RangePicker';
import { SimpleTable, type Column } from '../../components/SimpleTable';
import { alertTone } from '../../components/status';
import { Time } from '../../components/Time';
import { useOrg } from '../org/OrgScope';
import { orgKey } from '../org/queries';
import { useServers } from '../servers/queries';
import {
  CHARTS,
  formatMetric,
  metricLabel,
  useAlertEvents,
  useAlertRules,
  useFleet,
  useFleetMetrics,
  useMonitoringSettings,
} from './queries';

type Rule = components['schemas']['AlertRule'];
type FleetServer = components['schemas']['FleetOverview']['servers'][number];

const INTERVALS = [
  [10, '10 seconds'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [300, '5 minutes'],
  [900, '15 minutes'],
  [3600, '1 hour'],
] as const;

function Settings() {
  const org = useOrg();
  const queryClient = useQueryClient();
  const settings = useMonitoringSettings(org.id);
  const [said, setSaid] = useState('');
  const save = useMutation({
    mutationFn: (body: { monitorAll: boolean; intervalSeconds: number; recipients: string[] }) =>
      call(api.PUT('/api/orgs/{orgId}/monitoring/settings', { params: { path: { orgId: org.id } }, body })),
    onSuccess: async (s) => {
      setSaid(
        `Saved: ${s.monitorAll ? 'every server' : 'chosen servers'}, a sample every ${s.intervalSeconds} s, ${s.recipients.length} alert recipient${s.recipients.length === 1 ? '' : 's'}.`,
      );
      await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring') });
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const recipients = String(form.get('recipients') ?? '')
      .split(/[\s,]+/)
      .map((r) => r.trim())
      .filter(Boolean);
    save.mutate({ monitorAll: form.get('scope') === 'all', intervalSeconds: Number(form.get('interval')), recipients });
  };
  const s = settings.data;
  const owner = org.role === 'owner';
  return (
    <section className="section card" aria-labelledby="monitoring-settings-title">
      <h2 id="monitoring-settings-title">Settings</h2>
      {settings.isPending && <Loading label="Loading the settings" />}
      <ErrorNotice
        error={settings.error}
        title="The settings could not be loaded"
        onRetry={() => void settings.refetch()}
      />
      {s && (
        <form
          method="post"
          onSubmit={submit}
          className="stack"
          key={`${s.monitorAll}-${s.intervalSeconds}-${s.recipients.join(',')}`}
        >
          <SelectField
            label="Which servers"
            name="scope"
            defaultValue={s.monitorAll ? 'all' : 'chosen'}
            disabled={!owner}
            hint="Chosen servers are switched on from each server’s Metrics tab."
          >
            <option value="all">Every ready server</option>
            <option value="chosen">Only servers I choose</option>
          </SelectField>
          <SelectField label="Sample every" name="interval" defaultValue={String(s.intervalSeconds)} disabled={!owner}>
            {INTERVALS.map(([v, label]) => (
              <option key={v} value={v}>
                {label}
              </option>
            ))}
            {!INTERVALS.some(([v]) => v === s.intervalSeconds) && (
              <option value={s.intervalSeconds}>{s.intervalSeconds} seconds</option>
            )}
          </SelectField>
          <TextAreaField
            label="Alert recipients"
            name="recipients"
            defaultValue={s.recipients.join('\n')}
            rows={3}
            disabled={!owner}
            hint="E-mail addresses, one a line. With none, alerts are recorded and shown but nobody is mailed."
          />
          {owner && (
            <div>
              <Button type="submit" variant="primary" busy={save.isPending} busyLabel="Saving">
                Save settings
              </Button>
            </div>
          )}
        </form>
      )}
      <ErrorNotice error={save.error} title="The settings were not saved" />
      <LiveStatus message={said} />
    </section>
  );
}

function Fleet() {
  const org = useOrg();
  const fleet = useFleet(org.id);
  const figure = (metric: string) => (row: FleetServer) => formatMetric(metric, row.latest[metric]);
  const columns: Column<FleetServer>[] = [
    {
      header: 'Server',
      rowHeader: true,
      cell: (r) => <Link to={`/orgs/${org.id}/servers/${r.serverId}/metrics`}>{r.name}</Link>,
    },
    { header: 'State', cell: (r) => <FleetState row={r} /> },
    { header: 'CPU', cell: figure('cpu.busy_pct'), className: 'nowrap' },
    { header: 'Memory', cell: figure('mem.used_pct'), className: 'nowrap' },
    { header: 'Disk', cell: figure('disk.used_pct'), className: 'nowrap' },
    { header: 'Load', cell: figure('load.1'), className: 'nowrap' },
    { header: 'Last sample', cell: (r) => (r.lastSampleAt ? <Ago iso={r.lastSampleAt} /> : '—') },
  ];
  return (
    <section className="section" aria-labelledby="fleet-title">
      <h2 id="fleet-title">Fleet</h2>
      {fleet.isPending && <Loading label="Loading the fleet" />}
      <ErrorNotice error={fleet.error} title="The fleet could not be loaded" onRetry={() => void fleet.refetch()} />
      {fleet.data && (
        <SimpleTable
          caption="Servers with their latest figures"
          columns={columns}
          rows={fleet.data}
          rowKey={(r) => r.serverId}
          empty="No servers yet."
        />
      )}
    </section>
  );
}

/** CPU, memory, disk and load across the fleet over a chosen range: a line for each server that rose highest. */
function FleetCharts() {
  const org = useOrg();
  const [range, setRange] = useState<number>(3600);
  const metrics = useFleetMetrics(org.id, range);
  const result = metrics.data;
  return (
    <section className="section" aria-labelledby="fleet-charts-title">
      <div className="section-head">
        <h2 id="fleet-charts-title">Across the fleet</h2>
        <RangePicker value={range} onChange={setRange} />
      </div>
      {metrics.isPending && <Loading label="Loading the fleet’s metrics" />}
      <ErrorNotice
        error={metrics.error}
        title="The fleet’s metrics could not be loaded"
        onRetry={() => void metrics.refetch()}
      />
      {result && result.series.every((s) => s.servers.length === 0) && (
        <EmptyState title="No figures in this range">
          Switch monitoring on in the settings below, or on a server’s Metrics tab; samples appear here as they arrive.
        </EmptyState>
      )}
      {result && result.series.some((s) => s.servers.length > 0) && (
        <ul className="chart-grid-list">
          {CHARTS.map((metric) => {
            const found = result.series.find((s) => s.metric === metric);
            const lines = (found?.servers ?? []).map((srv) => ({
              label: srv.name,
              points: srv.t.map((t, i) => ({ t, v: srv.avg[i] ?? 0 })),
            }));
            const count = found?.serverCount ?? 0;
            return (
              <li key={metric}>
                <LineChart
                  title={`${metricLabel(metric)} across the fleet`}
                  series={lines}
                  from={result.from}
                  to={result.to}
                  format={(v) => formatMetric(metric, v)}
                  max={metric.includes('_pct') ? 100 : undefined}
                  gap={3 * Math.max(result.resolution, 60)}
                  legend
                  note={
                    count > lines.length
                      ? `The ${lines.length} servers that rose highest, of ${count} with figures.`
                      : undefined
                  }
                />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function FleetState({ row }: { row: FleetServer }) {
  if (!row.monitored) return <Badge>Not monitored</Badge>;
  if (row.failures > 0)
    return (
      <span title={row.lastError ?? undefined}>
        <Badge tone="danger">Unreachable</Badge> <span className="muted small">{row.failures} failed</span>
      </span>
    );
  if (!row.lastSampleAt) return <Badge tone="info">Waiting for a sample</Badge>;
  return <Badge tone="ok">Monitored</Badge>;
}

const describeRule = (r: Rule) =>
  r.type === 'unreachable'
    ? `Unreachable for ${minutes(r.durationSeconds)}`
    : `${metricLabel(r.metric ?? '')} ${r.comparison} ${formatMetric(r.metric ?? '', r.threshold)} for ${minutes(r.durationSeconds)}`;
const minutes = (s: number) => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

type RuleBody = {
  name: string;
  type: 'threshold' | 'unreachable';
  metric: string | null;
  comparison: 'above' | 'below' | null;
  threshold: number | null;
  durationSeconds: number;
  serverId: string | null;
  severity: 'info' | 'warning' | 'critical';
  enabled?: boolean;
};
type ServerOption = { id: string; name: string };

/** What a rule form holds, as the API takes it; an unreachable rule clears the figure, comparison and threshold. */
function readRule(form: FormData, type: RuleBody['type']): RuleBody {
  const common = {
    name: String(form.get('name') ?? '').trim(),
    durationSeconds: Math.round(Number(form.get('minutes')) * 60),
    serverId: String(form.get('server') ?? '') || null,
    severity: String(form.get('severity')) as RuleBody['severity'],
  };
  return type === 'unreachable'
    ? { ...common, type, metric: null, comparison: null, threshold: null }
    : {
        ...common,
        type,
        metric: String(form.get('metric')),
        comparison: String(form.get('comparison')) as 'above' | 'below',
        threshold: Number(form.get('threshold')),
      };
}

/** The fields of a rule, empty for a new one or filled from `rule`; the kind decides which are shown. */
function RuleFields({
  rule,
  type,
  onType,
  servers,
}: {
  rule?: Rule;
  type: RuleBody['type'];
  onType: (type: RuleBody['type']) => void;
  servers: readonly ServerOption[];
}) {
  return (
    <>
      <SelectField
        label="Kind"
        name="type"
        value={type}
        onChange={(event) => onType(event.target.value === 'unreachable' ? 'unreachable' : 'threshold')}
      >
        <option value="threshold">A figure crosses a threshold</option>
        <option value="unreachable">The server does not answer</option>
      </SelectField>
      <TextField label="Name" name="name" required maxLength={120} defaultValue={rule?.name} />
      {type === 'threshold' && (
        <div className="inline-form">
          <SelectField label="Figure" name="metric" defaultValue={rule?.metric ?? 'cpu.busy_pct'}>
            {CHARTS.map((m) => (
              <option key={m} value={m}>
                {metricLabel(m)}
              </option>
            ))}
            {rule?.metric && !(CHARTS as readonly string[]).includes(rule.metric) && (
              <option value={rule.metric}>{rule.metric}</option>
            )}
          </SelectField>
          <SelectField label="When it is" name="comparison" defaultValue={rule?.comparison ?? 'above'}>
            <option value="above">Above</option>
            <option value="below">Below</option>
          </SelectField>
          <TextField
            label="Threshold"
            name="threshold"
            type="number"
            step="any"
            required
            className="narrow-input"
            defaultValue={rule?.threshold ?? undefined}
          />
        </div>
      )}
      <div className="inline-form">
        <TextField
          label="For (minutes)"
          name="minutes"
          type="number"
          min={0}
          max={1440}
          step="any"
          defaultValue={rule ? rule.durationSeconds / 60 : 5}
          required
          className="narrow-input"
        />
        <SelectField label="Servers" name="server" defaultValue={rule?.serverId ?? ''}>
          <option value="">All servers</option>
          {servers.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Severity" name="severity" defaultValue={rule?.severity ?? 'warning'}>
          <option value="info">Info</option>
          <option value="warning">Warning</option>
          <option value="critical">Critical</option>
        </SelectField>
      </div>
    </>
  );
}

/** Changing a rule: the same fields, filled in, and whether it is judged at all. */
function EditRuleDialog({
  rule,
  servers,
  onClose,
  onSaved,
}: {
  rule: Rule | null;
  servers: readonly ServerOption[];
  onClose: () => void;
  onSaved: (rule: Rule) => void;
}) {
  const org = useOrg();
  const [type, setType] = useState<RuleBody['type']>(rule?.type ?? 'threshold');
  const save = useMutation({
    mutationFn: (body: RuleBody) =>
      call(
        api.PATCH('/api/orgs/{orgId}/alert-rules/{ruleId}', {
          params: { path: { orgId: org.id, ruleId: rule!.id } },
          body,
        }),
      ),
    onSuccess: onSaved,
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    save.mutate({ ...readRule(form, type), enabled: form.get('enabled') === 'on' });
  };
  return (
    <Dialog open={rule !== null} title={`Change rule “${rule?.name ?? ''}”`} onClose={onClose}>
      {rule && (
        <form method="post" onSubmit={submit} className="stack">
          <div className="dialog-body stack">
            <RuleFields rule={rule} type={type} onType={setType} servers={servers} />
            <label className="choice">
              <input type="checkbox" name="enabled" defaultChecked={rule.enabled} /> Judge this rule (switched off, it
              raises nothing and what it raised resolves)
            </label>
          </div>
          <ErrorNotice error={save.error} title="The rule was not changed" />
          <div className="dialog-actions">
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" variant="primary" busy={save.isPending} busyLabel="Saving">
              Save rule
            </Button>
          </div>
        </form>
      )}
    </Dialog>
  );
}

function Rules() {
  const org = useOrg();
  const queryClient = useQueryClient();
  const rules = useAlertRules(org.id);
  const servers = useServers(org.id);
  const names = new Map((servers.data ?? []).map((s) => [s.id, s.name]));
  const [doomed, setDoomed] = useState<Rule | null>(null);
  const [editing, setEditing] = useState<Rule | null>(null);
  const [type, setType] = useState<RuleBody['type']>('threshold');
  const [said, setSaid] = useState('');
  const refresh = () => queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring', 'rules') });
  const add = useMutation({
    mutationFn: (body: RuleBody) =>
      call(api.POST('/api/orgs/{orgId}/alert-rules', { params: { path: { orgId: org.id } }, body })),
    onSuccess: async (r) => {
      setSaid(`Rule “${r.name}” added.`);
      await refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (rule: Rule) =>
      call(
        api.DELETE('/api/orgs/{orgId}/alert-rules/{ruleId}', { params: { path: { orgId: org.id, ruleId: rule.id } } }),
      ),
    onSuccess: async (_, rule) => {
      setDoomed(null);
      setSaid(`Rule “${rule.name}” deleted.`);
      await refresh();
    },
  });
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formEl = event.currentTarget;
    add.mutate(readRule(new FormData(formEl), type), { onSuccess: () => formEl.reset() });
  };
  const saved = async (r: Rule) => {
    setEditing(null);
    setSaid(`Rule “${r.name}” saved${r.enabled ? '' : '; it is switched off'}.`);
    await queryClient.invalidateQueries({ queryKey: orgKey(org.id, 'monitoring') });
  };
  const owner = org.role === 'owner';
  const columns: Column<Rule>[] = [
    {
      header: 'Rule',
      rowHeader: true,
      cell: (r) => (
        <>
          {r.name}
          {!r.enabled && (
            <>
              {' '}
              <Badge>Off</Badge>
            </>
          )}
        </>
      ),
    },
    { header: 'Condition', cell: describeRule },
    { header: 'Servers', cell: (r) => (r.serverId ? (names.get(r.serverId) ?? 'One server') : 'All') },
    { header: 'Severity', cell: (r) => <Badge tone={alertTone(r.severity)}>{r.severity}</Badge> },
    ...(owner
      ? [
          {
            header: 'Actions',
            cell: (r: Rule) => (
              <div className="row">
                <Button variant="ghost" onClick={() => setEditing(r)} aria-label={`Change rule ${r.name}`}>
                  Change
                </Button>
                <Button
                  variant="ghost"
                  onClick={() => {
                    remove.reset();
                    setDoomed(r);
                  }}
                  aria-label={`Delete rule ${r.name}`}
                >
                  Delete
                </Button>
              </div>
            ),
          },
        ]
      : []),
  ];
  return (
    <section className="section" aria-labelledby="rules-title">
      <h2 id="rules-title">Alert rules</h2>
      {rules.isPending && <Loading label="Loading the alert rules" />}
      <ErrorNotice
        error={rules.error}
        title="The alert rules could not be loaded"
        onRetry={() => void rules.refetch()}
      />
      {rules.data && (
        <SimpleTable
          caption="Alert rules"
          columns={columns}
          rows={rules.data}
          rowKey={(r) => r.id}
          empty="No alert rules. Saving the settings once adds the defaults."
        />
      )}
      <LiveStatus message={said} />
      {owner && (
        <form method="post" onSubmit={submit} className="card section stack" aria-labelledby="add-rule-title">
          <h3 id="add-rule-title">Add a rule</h3>
          <RuleFields type={type} onType={setType} servers={servers.data ?? []} />
          <div>
            <Button type="submit" variant="primary" busy={add.isPending} busyLabel="Adding">
              Add rule
            </Button>
          </div>
          <ErrorNotice error={add.error} title="The rule was not added" />
        </form>
      )}
      <EditRuleDialog
        key={editing?.id ?? 'none'}
        rule={editing}
        servers={servers.data ?? []}
        onClose={() => setEditing(null)}
        onSaved={(r) => void saved(r)}
      />
      <ConfirmDialog
        open={doomed !== null}
        title="Delete this alert rule?"
        confirmText={doomed?.name ?? ''}
        confirmLabel="Delete rule"
        busy={remove.isPending}
        error={remove.error}
        onConfirm={() => doomed && remove.mutate(doomed)}
        onClose={() => setDoomed(null)}
      >
        <p>Rule “{doomed?.name}” stops being judged, and the alerts it raised that are still open resolve.</p>
      </ConfirmDialog>
    </section>
  );
}

function Events() {
  const org = useOrg();
  const events = useAlertEvents(org.id);
  type Event = NonNullable<typeof events.data>[number];
  const columns: Column<Event>[] = [
    { header: 'Alert', rowHeader: true, cell: (e) => e.title },
    {
      header: 'Severity',
      cell: (e) => <Badge tone={e.resolvedAt ? 'neutral' : alertTone(e.severity)}>{e.severity}</Badge>,
    },
    { header: 'Raised', cell: (e) => <Time iso={e.createdAt} /> },
    { header: 'Resolved', cell: (e) => (e.resolvedAt ? <Time iso={e.resolvedAt} /> : 'Open') },
  ];
  return (
    <section className="section" aria-labelledby="events-title">
      <h2 id="events-title">Recent alerts</h2>
      {events.isPending && <Loading label="Loading recent alerts" />}
      <ErrorNotice
        error={events.error}
        title="Recent alerts could not be loaded"
        onRetry={() => void events.refetch()}
      />
      {events.data && (
        <SimpleTable
          caption="Alerts raised by the rules, newest first"
          columns={columns}
          rows={events.data}
          rowKey={(e) => e.id}
          empty="No rule has fired."
        />
      )}
    </section>
  );
}

/** Monitoring across the organisation: settings, every server's latest figures, alert rules and what they raised. */
export function Monitoring() {
  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Steward samples each monitored server over its login at every interval: CPU, memory, disk, load, followed logs and security state. Rules turn figures into alerts by e-mail."
      />
      <Fleet />
      <FleetCharts />
      <Rules />
      <Events />
      <Settings />
    </>
  );
}
