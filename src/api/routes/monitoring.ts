import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Core } from '../../core/core.js';
import { contextOf, requireActor } from '../plugins/auth.js';
import { email, errors, idOf, OrgParams, text } from '../schemas.js';

const ServerParams = OrgParams.extend({ serverId: idOf('srv') });
const RuleParams = OrgParams.extend({ ruleId: idOf('rule') });
const FindingParams = OrgParams.extend({ findingId: idOf('fnd') });
const IncidentParams = OrgParams.extend({ incidentId: idOf('inc') });

const Settings = z
  .object({ monitorAll: z.boolean(), intervalSeconds: z.number(), recipients: z.array(z.string()) })
  .meta({ id: 'MonitoringSettings' });
const Severity = z.enum(['info', 'warning', 'critical']);
const MetricName = z
  .string()
  .min(3)
  .max(160)
  .regex(
    /^[a-z][a-z0-9_]*\.[a-z0-9_]+(:[A-Za-z0-9_./@-]{1,100})?$/,
    'must be a metric name such as cpu.busy_pct or disk.used_pct:/var',
  );
const Rule = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['threshold', 'unreachable']),
    metric: z.string().nullable(),
    comparison: z.enum(['above', 'below']).nullable(),
    threshold: z.number().nullable(),
    durationSeconds: z.number(),
    serverId: z.string().nullable(),
    severity: Severity,
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'AlertRule' });
const RuleFields = {
  name: text(200),
  type: z.enum(['threshold', 'unreachable']),
  metric: MetricName.nullable().optional(),
  comparison: z.enum(['above', 'below']).nullable().optional(),
  threshold: z.number().finite().nullable().optional(),
  durationSeconds: z
    .number()
    .int()
    .min(0)
    .max(7 * 86_400),
  serverId: idOf('srv').nullable().optional(),
  severity: Severity,
  enabled: z.boolean().optional(),
};
const Finding = z
  .object({
    id: z.string(),
    serverId: z.string().nullable(),
    serverName: z.string(),
    rule: z.string(),
    key: z.string(),
    severity: Severity,
    title: z.string(),
    evidence: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'acknowledged', 'closed']),
    incidentId: z.string().nullable(),
    occurrences: z.number(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
  })
  .meta({ id: 'Finding' });
const Incident = z
  .object({
    id: z.string(),
    title: z.string(),
    severity: Severity,
    status: z.enum(['open', 'acknowledged', 'closed']),
    openedAt: z.string(),
    updatedAt: z.string(),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    closedAt: z.string().nullable(),
    closedBy: z.string().nullable(),
    grantId: z.string().nullable(),
    grantNote: z.string().nullable(),
    serverIds: z.array(z.string()),
    findingCount: z.number(),
  })
  .meta({ id: 'Incident' });
const Status = z.enum(['open', 'acknowledged', 'closed', 'active']);
const Limit = z.coerce.number().int().min(1).max(500).default(100);
const EpochSeconds = z.coerce.number().int().min(0).max(32_503_680_000);
const Series = z.object({
  metric: z.string(),
  unit: z.string(),
  t: z.array(z.number()),
  avg: z.array(z.number()),
  min: z.array(z.number()),
  max: z.array(z.number()),
});
const Top = z.object({
  pid: z.number(),
  user: z.string(),
  command: z.string(),
  cpuPercent: z.number(),
  rssKb: z.number(),
});
const Iso = z.iso.datetime({ offset: true });
/** What a chart shows when the caller names no series. */
const DEFAULT_METRICS = 'cpu.busy_pct,mem.used_pct,load.1,disk.used_pct';
const RangeQuery = {
  metrics: z
    .string()
    .min(1)
    .max(2000)
    .default(DEFAULT_METRICS)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(z.array(MetricName).min(1).max(20)),
  from: EpochSeconds.optional(),
  to: EpochSeconds.optional(),
  resolution: z.coerce.number().int().min(1).max(86_400).optional(),
  maxPoints: z.coerce.number().int().min(10).max(5000).optional(),
};
const ServerSeries = z.object({
  serverId: z.string(),
  name: z.string(),
  t: z.array(z.number()),
  avg: z.array(z.number()),
  min: z.array(z.number()),
  max: z.array(z.number()),
});
/** Alert rules say `type` on the wire (`kind` in the store). */
const ruleOut = <T extends { kind: 'threshold' | 'unreachable' }>({
  kind,
  ...rest
}: T): Omit<T, 'kind'> & { type: T['kind'] } => ({ ...rest, type: kind });
const ruleIn = <T extends { type?: 'threshold' | 'unreachable' }>({ type, ...rest }: T) => ({
  ...rest,
  ...(type === undefined ? {} : { kind: type }),
});

/** Monitoring: settings, servers switched on and off, metrics, the fleet, alert rules and events, logs, findings and incidents. */
export function monitoringRoutes(app: FastifyInstance, core: Core): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const m = core.monitoring;

  r.get(
    '/api/orgs/:orgId/monitoring/settings',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Monitoring settings: every server or chosen ones, interval, alert recipients',
        params: OrgParams,
        response: { 200: Settings, ...errors },
      },
    },
    async (request) => m.settings.getSettings(requireActor(request), request.params.orgId, contextOf(request)),
  );

  r.put(
    '/api/orgs/:orgId/monitoring/settings',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Change the monitoring settings (owners)',
        params: OrgParams,
        body: z.strictObject({
          monitorAll: z.boolean(),
          intervalSeconds: z.number().int().min(10).max(86_400).optional(),
          recipients: z.array(email).max(20),
        }),
        response: { 200: Settings, ...errors },
      },
    },
    async (request) =>
      m.settings.putSettings(requireActor(request), request.params.orgId, request.body, contextOf(request)),
  );

  r.put(
    '/api/orgs/:orgId/servers/:serverId/monitoring',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Monitor this server (a standing instruction; every sampling login is recorded against it)',
        params: ServerParams,
        body: z.strictObject({ intervalSeconds: z.number().int().min(10).max(86_400).optional() }),
        response: {
          200: z.object({ serverId: z.string(), enabled: z.boolean(), intervalSeconds: z.number().nullable() }),
          ...errors,
        },
      },
    },
    async (request) =>
      m.settings.enableServer(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        request.body.intervalSeconds,
        contextOf(request),
      ),
  );

  r.delete(
    '/api/orgs/:orgId/servers/:serverId/monitoring',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Stop monitoring this server (its kept login is closed)',
        params: ServerParams,
        response: {
          200: z.object({ serverId: z.string(), enabled: z.boolean(), intervalSeconds: z.number().nullable() }),
          ...errors,
        },
      },
    },
    async (request) =>
      m.settings.disableServer(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/metrics',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Metric series over a time range (epoch seconds), bucketed',
        params: ServerParams,
        querystring: z.strictObject(RangeQuery),
        response: {
          200: z
            .object({
              from: z.number(),
              to: z.number(),
              resolution: z.number(),
              source: z.enum(['raw', 'minute']),
              series: z.array(Series),
            })
            .meta({ id: 'MetricsResult' }),
          ...errors,
        },
      },
    },
    async (request) =>
      m.query.queryMetrics(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        request.query,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/metrics/series',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'The metric series a server has',
        params: ServerParams,
        response: { 200: z.object({ series: z.array(z.object({ metric: z.string(), unit: z.string() })) }), ...errors },
      },
    },
    async (request) => ({
      series: await m.query.listSeries(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/monitoring/fleet',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Every server with its monitoring state and latest figures',
        params: OrgParams,
        response: {
          200: z
            .object({
              servers: z.array(
                z.object({
                  serverId: z.string(),
                  name: z.string(),
                  status: z.string(),
                  monitored: z.boolean(),
                  intervalSeconds: z.number().nullable(),
                  lastSampleAt: z.string().nullable(),
                  lastOkAt: z.string().nullable(),
                  lastError: z.string().nullable(),
                  failures: z.number(),
                  schedule: z
                    .object({ due: z.number(), taken: z.number(), late: z.number(), missed: z.number() })
                    .describe(
                      'Intervals begun, samples taken, samples that ended after their interval, intervals with no sample',
                    ),
                  latest: z.record(z.string(), z.number()),
                  top: z.array(Top),
                }),
              ),
            })
            .meta({ id: 'FleetOverview' }),
          ...errors,
        },
      },
    },
    async (request) => ({
      servers: await m.query.fleet(requireActor(request), request.params.orgId, contextOf(request)),
    }),
  );

  r.get(
    '/api/orgs/:orgId/monitoring/fleet/metrics',
    {
      schema: {
        tags: ['monitoring'],
        summary:
          'Metric series across the fleet: per metric, the servers that reached the highest value in the range (`top`, default 8)',
        params: OrgParams,
        querystring: z.strictObject({ ...RangeQuery, top: z.coerce.number().int().min(1).max(50).optional() }),
        response: {
          200: z
            .object({
              from: z.number(),
              to: z.number(),
              resolution: z.number(),
              source: z.enum(['raw', 'minute']),
              series: z.array(
                z.object({
                  metric: z.string(),
                  unit: z.string(),
                  serverCount: z.number(),
                  servers: z.array(ServerSeries),
                }),
              ),
            })
            .meta({ id: 'FleetMetricsResult' }),
          ...errors,
        },
      },
    },
    async (request) =>
      m.query.fleetMetrics(requireActor(request), request.params.orgId, request.query, contextOf(request)),
  );

  r.get(
    '/api/orgs/:orgId/alert-rules',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Alert rules',
        params: OrgParams,
        response: { 200: z.object({ rules: z.array(Rule) }), ...errors },
      },
    },
    async (request) => ({
      rules: (await m.alerting.listRules(requireActor(request), request.params.orgId, contextOf(request))).map(ruleOut),
    }),
  );

  r.post(
    '/api/orgs/:orgId/alert-rules',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Create an alert rule (threshold over a duration, or unreachable)',
        params: OrgParams,
        body: z.strictObject(RuleFields),
        response: { 201: Rule, ...errors },
      },
    },
    async (request, reply) =>
      reply
        .code(201)
        .send(
          ruleOut(
            await m.alerting.createRule(
              requireActor(request),
              request.params.orgId,
              { ...request.body, kind: request.body.type },
              contextOf(request),
            ),
          ),
        ),
  );

  r.patch(
    '/api/orgs/:orgId/alert-rules/:ruleId',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Change an alert rule',
        params: RuleParams,
        body: z.strictObject(RuleFields).partial(),
        response: { 200: Rule, ...errors },
      },
    },
    async (request) =>
      ruleOut(
        await m.alerting.updateRule(
          requireActor(request),
          request.params.orgId,
          request.params.ruleId,
          ruleIn(request.body),
          contextOf(request),
        ),
      ),
  );

  r.delete(
    '/api/orgs/:orgId/alert-rules/:ruleId',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Delete an alert rule (its open alerts resolve)',
        params: RuleParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      await m.alerting.deleteRule(
        requireActor(request),
        request.params.orgId,
        request.params.ruleId,
        contextOf(request),
      );
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/api/orgs/:orgId/alert-events',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Alerts the rules raised, newest first',
        params: OrgParams,
        querystring: z.strictObject({ open: z.enum(['true', 'false']).optional(), limit: Limit }),
        response: {
          200: z.object({
            events: z.array(
              z.object({
                id: z.string(),
                ruleId: z.string(),
                serverId: z.string().nullable(),
                kind: z.string(),
                severity: z.string(),
                title: z.string(),
                details: z.record(z.string(), z.unknown()),
                createdAt: z.string(),
                resolvedAt: z.string().nullable(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      events: await m.alerting.listEvents(
        requireActor(request),
        request.params.orgId,
        { open: request.query.open === 'true', limit: request.query.limit },
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/logs',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'Search followed log lines (newest first)',
        params: OrgParams,
        querystring: z.strictObject({
          serverId: idOf('srv').optional(),
          source: z.enum(['auth', 'system', 'web', 'other']).optional(),
          text: z.string().min(1).max(200).optional(),
          from: Iso.optional(),
          to: Iso.optional(),
          limit: Limit,
        }),
        response: {
          200: z.object({
            lines: z.array(
              z.object({
                id: z.number(),
                serverId: z.string(),
                source: z.string(),
                path: z.string(),
                observedAt: z.string(),
                line: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      lines: await m.query.searchLogs(requireActor(request), request.params.orgId, request.query, contextOf(request)),
    }),
  );

  r.get(
    '/api/orgs/:orgId/servers/:serverId/logs/sources',
    {
      schema: {
        tags: ['monitoring'],
        summary: 'The logs followed on a server and where each stands',
        params: ServerParams,
        response: {
          200: z.object({
            sources: z.array(
              z.object({
                path: z.string(),
                source: z.string(),
                lines: z.number(),
                lastEvent: z.string().nullable(),
                lastReadAt: z
                  .string()
                  .nullable()
                  .describe('When Steward last read new bytes of this log (or saw it rotated, truncated or gone)'),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => ({
      sources: await m.query.logSources(
        requireActor(request),
        request.params.orgId,
        request.params.serverId,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/findings',
    {
      schema: {
        tags: ['detection'],
        summary: 'Findings of the detection rules, newest first',
        params: OrgParams,
        querystring: z.strictObject({
          status: Status.optional(),
          serverId: idOf('srv').optional(),
          incidentId: idOf('inc').optional(),
          limit: Limit,
        }),
        response: { 200: z.object({ findings: z.array(Finding) }), ...errors },
      },
    },
    async (request) => ({
      findings: await m.detection.listFindings(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/findings/:findingId',
    {
      schema: {
        tags: ['detection'],
        summary: 'One finding with its evidence',
        params: FindingParams,
        response: { 200: Finding, ...errors },
      },
    },
    async (request) =>
      m.detection.getFinding(requireActor(request), request.params.orgId, request.params.findingId, contextOf(request)),
  );

  r.post(
    '/api/orgs/:orgId/findings/:findingId/acknowledge',
    {
      schema: {
        tags: ['detection'],
        summary: 'Acknowledge a finding',
        params: FindingParams,
        response: { 200: Finding, ...errors },
      },
    },
    async (request) =>
      m.detection.acknowledgeFinding(
        requireActor(request),
        request.params.orgId,
        request.params.findingId,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/findings/:findingId/close',
    {
      schema: {
        tags: ['detection'],
        summary: 'Close a finding',
        params: FindingParams,
        response: { 200: Finding, ...errors },
      },
    },
    async (request) =>
      m.detection.closeFinding(
        requireActor(request),
        request.params.orgId,
        request.params.findingId,
        contextOf(request),
      ),
  );

  r.get(
    '/api/orgs/:orgId/incidents',
    {
      schema: {
        tags: ['detection'],
        summary: 'Incidents (related findings grouped), newest first',
        params: OrgParams,
        querystring: z.strictObject({ status: Status.optional(), limit: Limit }),
        response: { 200: z.object({ incidents: z.array(Incident) }), ...errors },
      },
    },
    async (request) => ({
      incidents: await m.detection.listIncidents(
        requireActor(request),
        request.params.orgId,
        request.query,
        contextOf(request),
      ),
    }),
  );

  r.get(
    '/api/orgs/:orgId/incidents/:incidentId',
    {
      schema: {
        tags: ['detection'],
        summary: 'One incident with its findings',
        params: IncidentParams,
        response: { 200: Incident.extend({ findings: z.array(Finding) }), ...errors },
      },
    },
    async (request) =>
      m.detection.getIncident(
        requireActor(request),
        request.params.orgId,
        request.params.incidentId,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/incidents/:incidentId/acknowledge',
    {
      schema: {
        tags: ['detection'],
        summary: 'Acknowledge an incident',
        params: IncidentParams,
        response: { 200: Incident, ...errors },
      },
    },
    async (request) =>
      m.detection.acknowledgeIncident(
        requireActor(request),
        request.params.orgId,
        request.params.incidentId,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/incidents/:incidentId/close',
    {
      schema: {
        tags: ['detection'],
        summary: 'Close an incident and its findings',
        params: IncidentParams,
        response: { 200: Incident, ...errors },
      },
    },
    async (request) =>
      m.detection.closeIncident(
        requireActor(request),
        request.params.orgId,
        request.params.incidentId,
        contextOf(request),
      ),
  );

  r.post(
    '/api/orgs/:orgId/incidents/:incidentId/grant',
    {
      schema: {
        tags: ['detection'],
        summary: 'Ask the security team to look: opens a suspicious-activity grant for the incident’s servers (owners)',
        params: IncidentParams,
        response: { 200: Incident, ...errors },
      },
    },
    async (request) =>
      m.detection.requestGrant(
        requireActor(request),
        request.params.orgId,
        request.params.incidentId,
        contextOf(request),
      ),
  );
}
