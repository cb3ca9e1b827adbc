import type { Command } from 'commander';
import { AppError } from '../../kernel/errors.js';
import { apiClient, loadLogin } from '../client.js';
import { say } from '../output.js';
import type { Env } from '../runtime.js';
import { orgOf, resolveServers } from './fleet.js';

interface Series {
  metric: string;
  unit: string;
  t: number[];
  avg: number[];
  min: number[];
  max: number[];
}
interface Rule {
  id: string;
  name: string;
  type: string;
  metric: string | null;
  comparison: string | null;
  threshold: number | null;
  durationSeconds: number;
  serverId: string | null;
  severity: string;
  enabled: boolean;
}
interface Finding {
  id: string;
  serverName: string;
  rule: string;
  severity: string;
  title: string;
  status: string;
  occurrences: number;
  lastSeenAt: string;
  incidentId: string | null;
}
interface Incident {
  id: string;
  title: string;
  severity: string;
  status: string;
  openedAt: string;
  findingCount: number;
  grantId: string | null;
}

/** `30s`, `10m`, `2h`, `1d` (or plain seconds) to seconds. */
export function parseDuration(text: string, field: string): number {
  const m = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!m) throw new AppError('STEWARD_INVALID_INPUT', `${field} must be a duration such as 90s, 10m, 2h or 1d.`);
  return Number(m[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
}

const num = (v: number | undefined): string => (v === undefined ? '-' : String(Math.round(v * 100) / 100));
const STATUSES = ['open', 'acknowledged', 'closed', 'active'];

/** One line of figures for a series: latest, average, lowest, highest and how many points. */
function figures(label: string, s: { avg: number[]; min: number[]; max: number[] }): string {
  const n = s.avg.length;
  const avg = n > 0 ? s.avg.reduce((x, y) => x + y, 0) / n : undefined;
  return `${label.padEnd(28)} ${num(s.avg[n - 1]).padStart(12)} ${num(avg).padStart(12)} ${num(n ? Math.min(...s.min) : undefined).padStart(12)} ${num(n ? Math.max(...s.max) : undefined).padStart(12)}  ${n}`;
}

function checkStatus(status: string | undefined): void {
  if (status !== undefined && !STATUSES.includes(status))
    throw new AppError('STEWARD_INVALID_INPUT', `--status must be one of ${STATUSES.join(', ')}.`);
}

/** `steward metrics`, `steward alerts …`, `steward findings …`, `steward incidents …`: monitoring from the terminal. */
export function registerMonitoringCommands(program: Command, env: Env): void {
  const client = () => {
    const login = loadLogin(env);
    return apiClient(login.url, { token: login.token });
  };

  program
    .command('metrics [server]')
    .description(
      'metrics over a recent range (latest, average, min, max): a server’s, or with no server the fleet’s, per metric the servers that rose highest',
    )
    .option('--org <id>', 'organisation')
    .option('--metrics <names>', 'comma-separated metric names', 'cpu.busy_pct,mem.used_pct,load.1,disk.used_pct')
    .option('--since <duration>', 'how far back (e.g. 15m, 6h, 7d)', '1h')
    .option('--resolution <seconds>', 'seconds per point')
    .option('--top <n>', 'across the fleet: how many servers per metric (1–50)', '8')
    .option('--json', 'print JSON')
    .action(
      async (
        server: string | undefined,
        opts: { org?: string; metrics: string; since: string; resolution?: string; top: string; json?: boolean },
      ) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const to = Math.floor(Date.now() / 1000) + 1;
        const q = new URLSearchParams({
          metrics: opts.metrics,
          from: String(to - parseDuration(opts.since, '--since')),
          to: String(to),
        });
        if (opts.resolution) q.set('resolution', opts.resolution);
        const header = (r: { resolution: number; source: string }, first: string) =>
          say(
            `${first.padEnd(28)} ${'latest'.padStart(12)} ${'avg'.padStart(12)} ${'min'.padStart(12)} ${'max'.padStart(12)}  points (${r.resolution} s, ${r.source})`,
          );
        if (server === undefined) {
          q.set('top', opts.top);
          const { data } = await call<{
            resolution: number;
            source: string;
            series: {
              metric: string;
              serverCount: number;
              servers: (Omit<Series, 'metric' | 'unit'> & { name: string })[];
            }[];
          }>('GET', `/api/orgs/${orgId}/monitoring/fleet/metrics?${q}`);
          if (opts.json) return say(JSON.stringify(data, null, 2));
          header(data, 'metric / server');
          for (const s of data.series) {
            say(
              `${s.metric}${s.serverCount > s.servers.length ? ` (the ${s.servers.length} highest of ${s.serverCount} servers)` : s.serverCount === 0 ? ' (no figures)' : ''}`,
            );
            for (const row of s.servers) say(figures(`  ${row.name}`, row));
          }
          return;
        }
        const { ids } = await resolveServers(call, orgId, server);
        if (ids.length !== 1)
          throw new AppError('STEWARD_INVALID_INPUT', 'Name exactly one server, or none for the whole fleet.');
        const { data } = await call<{ resolution: number; source: string; series: Series[] }>(
          'GET',
          `/api/orgs/${orgId}/servers/${ids[0]}/metrics?${q}`,
        );
        if (opts.json) return say(JSON.stringify(data, null, 2));
        header(data, 'metric');
        for (const s of data.series) say(figures(s.metric, s));
      },
    );

  const alerts = program.command('alerts').description('alert rules');
  alerts
    .command('ls')
    .description('list alert rules')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ rules: Rule[] }>('GET', `/api/orgs/${orgId}/alert-rules`);
      if (opts.json) return say(JSON.stringify(data.rules, null, 2));
      for (const r of data.rules) {
        const condition = r.type === 'unreachable' ? 'unreachable' : `${r.metric} ${r.comparison} ${r.threshold}`;
        say(
          `${r.id}  ${r.name.padEnd(28)} ${`${condition} for ${r.durationSeconds}s`.padEnd(40)} ${r.severity.padEnd(8)} ${r.serverId ?? 'all servers'}${r.enabled ? '' : ' (off)'}`,
        );
      }
    });
  alerts
    .command('add')
    .description('add an alert rule: --metric with --above or --below, or --unreachable')
    .requiredOption('--name <text>', 'what the rule is called')
    .option('--metric <name>', 'metric such as disk.used_pct')
    .option('--above <number>', 'fire above this value')
    .option('--below <number>', 'fire below this value')
    .option('--unreachable', 'fire when the server does not answer')
    .option('--for <duration>', 'how long the condition must hold', '5m')
    .option('--server <name>', 'only this server (default: every monitored server)')
    .option('--severity <level>', 'info, warning or critical', 'warning')
    .option('--org <id>', 'organisation')
    .action(
      async (opts: {
        name: string;
        metric?: string;
        above?: string;
        below?: string;
        unreachable?: boolean;
        for: string;
        server?: string;
        severity: string;
        org?: string;
      }) => {
        if (
          opts.unreachable
            ? opts.metric || opts.above || opts.below
            : !opts.metric || (opts.above === undefined) === (opts.below === undefined)
        ) {
          throw new AppError(
            'STEWARD_INVALID_INPUT',
            'Give --metric with exactly one of --above or --below, or --unreachable alone.',
          );
        }
        const threshold = opts.above ?? opts.below;
        if (threshold !== undefined && !Number.isFinite(Number(threshold)))
          throw new AppError('STEWARD_INVALID_INPUT', '--above and --below take a number.');
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const serverId = opts.server ? (await resolveServers(call, orgId, opts.server)).ids[0] : undefined;
        const body = opts.unreachable
          ? {
              name: opts.name,
              type: 'unreachable',
              durationSeconds: parseDuration(opts.for, '--for'),
              severity: opts.severity,
              serverId,
            }
          : {
              name: opts.name,
              type: 'threshold',
              metric: opts.metric,
              comparison: opts.above !== undefined ? 'above' : 'below',
              threshold: Number(threshold),
              durationSeconds: parseDuration(opts.for, '--for'),
              severity: opts.severity,
              serverId,
            };
        const { data } = await call<Rule>('POST', `/api/orgs/${orgId}/alert-rules`, body);
        say(`Added ${data.id} (${data.name}).`);
      },
    );
  alerts
    .command('rm <ruleId>')
    .description('delete an alert rule (its open alerts resolve)')
    .option('--org <id>', 'organisation')
    .action(async (ruleId: string, opts: { org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      await call('DELETE', `/api/orgs/${orgId}/alert-rules/${encodeURIComponent(ruleId)}`);
      say(`Deleted ${ruleId}.`);
    });

  const findings = program.command('findings').description('suspicious-activity findings');
  findings
    .command('ls')
    .description('list findings, newest first')
    .option('--status <status>', 'open, acknowledged, closed or active')
    .option('--server <name>', 'only this server')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; server?: string; org?: string; json?: boolean }) => {
      checkStatus(opts.status);
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const q = new URLSearchParams();
      if (opts.status) q.set('status', opts.status);
      if (opts.server) q.set('serverId', (await resolveServers(call, orgId, opts.server)).ids[0]!);
      const { data } = await call<{ findings: Finding[] }>('GET', `/api/orgs/${orgId}/findings?${q}`);
      if (opts.json) return say(JSON.stringify(data.findings, null, 2));
      for (const f of data.findings)
        say(
          `${f.id}  ${f.severity.padEnd(8)} ${f.status.padEnd(12)} ${f.serverName.padEnd(16)} ${f.title}${f.occurrences > 1 ? ` (×${f.occurrences})` : ''}`,
        );
    });
  findings
    .command('ack <findingId>')
    .description('acknowledge a finding')
    .option('--org <id>', 'organisation')
    .action(async (id: string, opts: { org?: string }) => {
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<Finding>('POST', `/api/orgs/${orgId}/findings/${encodeURIComponent(id)}/acknowledge`);
      say(`${data.id} ${data.status}.`);
    });

  const incidents = program.command('incidents').description('incidents: related findings grouped');
  incidents
    .command('ls')
    .description('list incidents, newest first')
    .option('--status <status>', 'open, acknowledged, closed or active')
    .option('--org <id>', 'organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { status?: string; org?: string; json?: boolean }) => {
      checkStatus(opts.status);
      const call = client();
      const orgId = await orgOf(call, opts.org);
      const { data } = await call<{ incidents: Incident[] }>(
        'GET',
        `/api/orgs/${orgId}/incidents${opts.status ? `?status=${opts.status}` : ''}`,
      );
      if (opts.json) return say(JSON.stringify(data.incidents, null, 2));
      for (const i of data.incidents)
        say(
          `${i.id}  ${i.severity.padEnd(8)} ${i.status.padEnd(12)} ${String(i.findingCount).padStart(3)} finding(s)  ${i.title}${i.grantId ? `  [grant ${i.grantId}]` : ''}`,
        );
    });
  for (const [verb, path, what] of [
    ['ack', 'acknowledge', 'acknowledge an incident'],
    ['close', 'close', 'close an incident and its findings'],
  ] as const) {
    incidents
      .command(`${verb} <incidentId>`)
      .description(what)
      .option('--org <id>', 'organisation')
      .action(async (id: string, opts: { org?: string }) => {
        const call = client();
        const orgId = await orgOf(call, opts.org);
        const { data } = await call<Incident>('POST', `/api/orgs/${orgId}/incidents/${encodeURIComponent(id)}/${path}`);
        say(`${data.id} ${data.status}.`);
      });
  }
}
