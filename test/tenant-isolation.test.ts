import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../testkit/db.js';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { operationsOf, sampleOf } from '../testkit/openapi.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { EC2_IMAGE, startFakeClouds } from '../testkit/provisioning-e2e.js';
import { staffMember } from '../testkit/privacy.js';

/** Bodies that pass validation where a generated sample would not (so the request reaches the authorisation check). */
const BODY_OVERRIDES: Record<string, unknown> = {
  argv: ['true'],
  token: 'x'.repeat(43),
  value: 'some-secret-value',
  name: 'Intruder',
  role: 'owner',
  email: 'intruder@example.com',
  code: '123456',
  kind: 'password',
  snapshotId: 'deadbeef',
  period: '2026-01',
  addressLines: ['1 Example Street'],
};

/** Body fields for one operation, over the generated sample, where the generic overrides do not fit. */
const BODY_FIELDS: Record<string, Record<string, unknown>> = {
  'POST /api/orgs/{orgId}/backups/repositories': { kind: 'sftp' },
  'POST /api/orgs/{orgId}/backups/plans': { kind: 'files', paths: ['/etc'] },
  'PUT /api/orgs/{orgId}/billing/profile': { country: 'DE' },
  'PATCH /api/staff/plans/{planId}': { name: 'Renamed' },
  'PUT /api/staff/tax-rates/{country}': { ratePercent: '19' },
  'POST /api/staff/invoices/{invoiceId}/payments': { amount: '1.00' },
};

/** Where one path parameter names different things on different routes: a backup run is not a task run. */
const PATH_IDS: readonly { readonly under: string; readonly ids: Record<string, string> }[] = [
  { under: '/api/orgs/{orgId}/backups/', ids: { planId: 'backupPlanId', runId: 'backupRunId' } },
];

describe.each(ENGINES)('tenant isolation (%s)', (engine) => {
  let s: TestSteward;
  let a: SignedUp;
  let b: SignedUp;
  let clouds: Awaited<ReturnType<typeof startFakeClouds>>;
  const ids: Record<string, string> = {};

  async function snapshot() {
    const tables = ['orgs', 'memberships', 'invitations', 'credentials', 'api_tokens', 'servers', 'task_runs'] as const;
    const out: Record<string, unknown> = {};
    for (const t of tables) out[t] = await s.core.db.selectFrom(t).selectAll().orderBy('id').execute();
    out.provider_accounts = await s.core.db.selectFrom('provider_accounts').selectAll().orderBy('id').execute();
    out.provider_instances = await s.core.db
      .selectFrom('provider_instances')
      .selectAll()
      .orderBy('account_id')
      .orderBy('node_id')
      .execute();
    out.provider_launches = await s.core.db
      .selectFrom('provider_launches')
      .selectAll()
      .orderBy('account_id')
      .orderBy('token')
      .execute();
    for (const t of ['alert_rules', 'findings', 'incidents', 'monitoring_targets'] as const)
      out[t] = await s.core.db.selectFrom(t).selectAll().execute();
    out.monitoring_settings = await s.core.db.selectFrom('monitoring_settings').selectAll().execute();
    for (const t of ['backup_repositories', 'backup_plans', 'backup_runs', 'billing_invoices', 'review_items'] as const)
      out[t] = await s.core.db.selectFrom(t).selectAll().orderBy('id').execute();
    out.billing_plans = await s.core.db.selectFrom('billing_plans').selectAll().orderBy('id').execute();
    out.billing_tax_rates = await s.core.db.selectFrom('billing_tax_rates').selectAll().orderBy('country').execute();
    out.audit = (await s.core.db.selectFrom('audit_log').selectAll().where('org_id', '=', a.orgId).execute()).length;
    return out;
  }

  beforeAll(async () => {
    clouds = await startFakeClouds();
    s = await startTestSteward({
      engine,
      env: { STEWARD_SANDBOX_ENDPOINTS: 'true', STEWARD_INSTANCE_SYNC_SECONDS: '0' },
    });
    a = await signUp(s.app, { orgName: 'Tenant A' });
    b = await signUp(s.app, { orgName: 'Tenant B' });
    const member = await signUp(s.app);
    const inv = await a.client.post(`/api/orgs/${a.orgId}/invitations`, { email: member.email, role: 'member' });
    await member.client.post('/api/invitations/accept', { token: inv.body.token });
    const openInv = await a.client.post(`/api/orgs/${a.orgId}/invitations`, {
      email: 'later@example.com',
      role: 'member',
    });
    const members = await a.client.get(`/api/orgs/${a.orgId}/members`);
    const cred = await a.client.post(`/api/orgs/${a.orgId}/credentials`, {
      kind: 'password',
      name: 'root',
      value: 'tenant-a-secret-value',
    });
    const token = await a.client.post('/api/me/tokens', { name: 'a-token' });
    const server = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'web-1',
      address: 'web-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    expect(server.status).toBe(202);
    // A task run of A's (written directly: A's server is still enrolling, so the API would refuse to run one).
    const runId = 'run_00000000000000000000000001';
    const snapshotId = 'snap_00000000000000000000000001';
    await s.core.db
      .insertInto('discovery_snapshots')
      .values({
        id: snapshotId,
        org_id: a.orgId,
        server_id: server.body.id,
        run_id: null,
        taken_at: new Date().toISOString(),
        facts: '{}',
        changes: '[]',
        summary: 'First discovery.',
        attention: 0,
      })
      .execute();
    await s.core.db
      .insertInto('task_runs')
      .values({
        id: runId,
        org_id: a.orgId,
        kind: 'command',
        recipe: null,
        params: '{}',
        command: '["true"]',
        status: 'running',
        requested_by: a.userId,
        instruction_type: 'user_action',
        instruction_id: null,
        total: 0,
        created_at: new Date().toISOString(),
        finished_at: null,
      })
      .execute();
    // Provisioning: an account on a sandbox cloud, an instance in it, and a launch (left queued: no job runner here).
    const account = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts`, {
      provider: 'ec2',
      name: 'a-cloud',
      region: clouds.ec2.region,
      endpoint: clouds.ec2.url,
      accessKeyId: clouds.ec2.accessKeyId,
      secretAccessKey: clouds.ec2.secretAccessKey,
    });
    expect(account.status, account.raw).toBe(201);
    const launch = await a.client.post(`/api/orgs/${a.orgId}/provider-accounts/${account.body.id}/instances`, {
      name: 'a-launch',
      sizeId: 't3.micro',
      imageId: EC2_IMAGE,
      token: 'a-launch',
    });
    expect(launch.status, launch.raw).toBe(202);
    const { EC2Client, RunInstancesCommand } = await import('@aws-sdk/client-ec2');
    const run = await new EC2Client({
      region: clouds.ec2.region,
      endpoint: clouds.ec2.url,
      credentials: clouds.ec2,
    }).send(new RunInstancesCommand({ ImageId: EC2_IMAGE, MinCount: 1, MaxCount: 1 }));
    Object.assign(ids, {
      accountId: account.body.id,
      instanceId: run.Instances![0]!.InstanceId!,
      launchToken: 'a-launch',
    });
    Object.assign(ids, {
      orgId: a.orgId,
      memberId: members.body.members.find((m: { userId: string }) => m.userId === member.userId).id,
      invitationId: openInv.body.id,
      credentialId: cred.body.id,
      tokenId: token.body.id,
      serverId: server.body.id,
      runId,
      snapshotId,
    });
    // Staff access: a support request of A's (it opens a grant) and a recorded terminal session.
    const support = await a.client.post(`/api/orgs/${a.orgId}/support-requests`, {
      subject: 'Disk full?',
      message: 'The app stopped writing logs.',
      serverIds: [server.body.id],
      durationMinutes: 30,
    });
    expect(support.status, support.raw).toBe(201);
    const sessionId = 'term_00000000000000000000000001';
    const now = new Date().toISOString();
    await s.core.db
      .insertInto('terminal_sessions')
      .values({
        id: sessionId,
        org_id: a.orgId,
        server_id: server.body.id,
        user_id: a.userId,
        user_kind: 'customer',
        grant_id: null,
        term: 'xterm-256color',
        cols: 80,
        rows: 24,
        status: 'ended',
        end_reason: 'closed',
        owner: 'test#1',
        started_at: now,
        heartbeat_at: now,
        ended_at: now,
        chunks: 0,
        bytes: 0,
      })
      .execute();
    Object.assign(ids, {
      supportId: support.body.id,
      grantId: support.body.grantId,
      sessionId,
      secretId: cred.body.id,
    });
    // Privacy: a disclosure (staff routes answer 404 to customers) and a person to reveal.
    const admin = await staffMember(s, ['admin']);
    const disclosure = await admin.client.post('/api/staff/disclosures', {
      kind: 'transfer',
      recipient: 'Acme',
      description: 'Acquisition.',
      dataCategories: ['account'],
      orgIds: [a.orgId],
    });
    expect(disclosure.status, disclosure.raw).toBe(201);
    Object.assign(ids, { disclosureId: disclosure.body.id, userId: a.userId });
    // Monitoring: an alert rule, and a finding in an incident (written directly: no host is sampled here).
    const rule = await a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
      name: 'Disk',
      type: 'threshold',
      metric: 'disk.used_pct',
      comparison: 'above',
      threshold: 90,
      durationSeconds: 600,
      severity: 'critical',
    });
    expect(rule.status, rule.raw).toBe(201);
    const at = new Date().toISOString();
    const incidentId = 'inc_00000000000000000000000001';
    const findingId = 'fnd_00000000000000000000000001';
    await s.core.db
      .insertInto('incidents')
      .values({
        id: incidentId,
        org_id: a.orgId,
        title: 'New account with uid 0: toor',
        severity: 'critical',
        status: 'open',
        opened_at: at,
        updated_at: at,
        acknowledged_by: null,
        acknowledged_at: null,
        closed_by: null,
        closed_at: null,
        grant_id: null,
        grant_note: null,
      })
      .execute();
    await s.core.db
      .insertInto('findings')
      .values({
        id: findingId,
        org_id: a.orgId,
        server_id: server.body.id,
        server_name: 'web-1',
        rule: 'privileged_account',
        key: 'uid0:toor',
        severity: 'critical',
        title: 'New account with uid 0: toor',
        evidence: '{}',
        status: 'open',
        incident_id: incidentId,
        occurrences: 1,
        first_seen_at: at,
        last_seen_at: at,
        acknowledged_by: null,
        acknowledged_at: null,
        closed_by: null,
        closed_at: null,
      })
      .execute();
    Object.assign(ids, { ruleId: rule.body.id, incidentId, findingId });
    // Backups: a repository, a plan and a run of A's (written directly: A's server is still enrolling).
    const repositoryId = 'repo_00000000000000000000000001';
    const backupPlanId = 'bplan_00000000000000000000000001';
    const backupRunId = 'bkup_00000000000000000000000001';
    await s.core.db
      .insertInto('backup_repositories')
      .values({
        id: repositoryId,
        org_id: a.orgId,
        name: 'local',
        kind: 'local',
        location: '/nowhere',
        credential_sealed: null,
        public_key: null,
        is_default: 1,
        initialised_at: null,
        last_check_at: null,
        last_check_status: null,
        last_check_error: null,
        stored_bytes: 0,
        created_by: a.userId,
        created_at: at,
      })
      .execute();
    await s.core.db
      .insertInto('backup_plans')
      .values({
        id: backupPlanId,
        org_id: a.orgId,
        server_id: server.body.id,
        repository_id: repositoryId,
        name: 'Files',
        kind: 'files',
        database: null,
        paths: '["/etc"]',
        excludes: '[]',
        db_auth: null,
        db_user: null,
        db_secret_id: null,
        db_password_sealed: null,
        interval_minutes: 1440,
        next_run_at: '2999-01-01T00:00:00.000Z',
        keep: '{"last":7}',
        enabled: 1,
        set_by: a.userId,
        last_ok_at: null,
        last_failed_at: null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await s.core.db
      .insertInto('backup_runs')
      .values({
        id: backupRunId,
        org_id: a.orgId,
        kind: 'backup',
        plan_id: backupPlanId,
        repository_id: repositoryId,
        server_id: server.body.id,
        status: 'succeeded',
        dry_run: 0,
        request: '{}',
        instruction_type: 'user_action',
        instruction_id: null,
        actor_id: a.userId,
        snapshot_id: null,
        bytes_read: 0,
        bytes_added: 0,
        duration_ms: 1,
        progress: null,
        result: null,
        error_code: null,
        error_message: null,
        attempt: 1,
        queued_at: at,
        started_at: at,
        finished_at: at,
      })
      .execute();
    // Billing: a plan A is on, a tax rate, an invoice of A's; and a review item about A.
    const plan = await admin.client.post('/api/staff/plans', {
      code: 'starter',
      name: 'Starter',
      monthlyPrice: '29',
      includedServers: 2,
      serverHourPrice: '0.0125',
      backupGibMonthPrice: '0.10',
      supportTier: 'community',
    });
    expect(plan.status, plan.raw).toBe(201);
    expect((await admin.client.put(`/api/staff/orgs/${a.orgId}/plan`, { planId: plan.body.id })).status).toBe(200);
    expect((await admin.client.put('/api/staff/tax-rates/DE', { ratePercent: '19', label: 'VAT' })).status).toBe(200);
    // On the plan since last month (moved back directly: the API starts a plan now), so last month is billable.
    const month = new Date();
    month.setUTCDate(1);
    month.setUTCMonth(month.getUTCMonth() - 1);
    await s.core.db
      .updateTable('billing_subscriptions')
      .set({ starts_at: month.toISOString() })
      .where('org_id', '=', a.orgId)
      .execute();
    const invoice = await admin.client.post(`/api/staff/orgs/${a.orgId}/invoices`, {
      period: month.toISOString().slice(0, 7),
    });
    expect(invoice.status, invoice.raw).toBe(200);
    const security = await staffMember(s, ['security']);
    const item = await security.client.post(`/api/staff/orgs/${a.orgId}/review`, { summary: 'Looks odd.' });
    expect(item.status, item.raw).toBe(201);
    Object.assign(ids, {
      repositoryId,
      backupPlanId,
      backupRunId,
      planId: plan.body.id,
      country: 'DE',
      invoiceId: invoice.body.id,
      itemId: item.body.id,
    });
  });
  afterAll(async () => {
    await s?.close();
    await clouds?.close();
  });

  it('every route that takes an id answers 404 to another tenant and changes nothing', async () => {
    const doc = (await new TestClient(s.app).get('/api/openapi.json')).body;
    const ops = operationsOf(doc).filter((op) => op.params.length > 0);
    expect(ops.length).toBeGreaterThan(8);
    const before = await snapshot();
    const providerRequests = clouds.ec2.sandbox.requests.length;
    const failures: string[] = [];
    for (const op of ops) {
      const named = PATH_IDS.find((p) => op.path.startsWith(p.under))?.ids ?? {};
      const idOf = (p: string) => ids[named[p] ?? p];
      const missing = op.params.filter((p) => idOf(p) === undefined);
      if (missing.length > 0) {
        failures.push(`${op.method} ${op.path}: no seeded id for ${missing.join(', ')} (add one to this test)`);
        continue;
      }
      const url = op.path.replace(/\{(\w+)\}/g, (_, p: string) => idOf(p)!);
      const overrides = { ...BODY_OVERRIDES, serverId: ids.serverId, planId: idOf('planId'), orgId: ids.orgId };
      const body = op.bodySchema
        ? { ...(sampleOf(op.bodySchema, overrides) as object), ...BODY_FIELDS[`${op.method} ${op.path}`] }
        : op.method === 'GET' || op.method === 'DELETE'
          ? undefined
          : {};
      const res = await b.client.request(op.method, url, body);
      if (res.status !== 404) failures.push(`${op.method} ${op.path} → ${res.status} ${res.raw.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    expect(clouds.ec2.sandbox.requests.length, 'no provider call was made for the other tenant').toBe(providerRequests);
  });

  it('the owner still sees everything (the ids were real)', async () => {
    expect((await a.client.get(`/api/orgs/${a.orgId}/credentials/${ids.credentialId}`)).status).toBe(200);
    expect((await a.client.get(`/api/orgs/${a.orgId}/members`)).body.members).toHaveLength(2);
    expect(
      (await a.client.get(`/api/orgs/${a.orgId}/provider-accounts/${ids.accountId}/launches/${ids.launchToken}`))
        .status,
    ).toBe(200);
    const listed = (await a.client.get(`/api/orgs/${a.orgId}/instances`)).body.instances.map(
      (i: { id: string }) => i.id,
    );
    expect(listed).toContain(ids.instanceId);
  });
});
