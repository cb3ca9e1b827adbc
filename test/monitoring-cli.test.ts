// Engine: SQLite only: CLI output over the API; the monitoring stores run on both engines elsewhere (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsStore } from '../src/core/monitoring/metrics.store.js';
import { cliSession, type CliSession } from '../testkit/cli.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

/** `steward metrics`, `alerts`, `findings` and `incidents` against a listening Steward. */
describe('monitoring from the command line', () => {
  let s: TestSteward;
  let a: SignedUp;
  let session: CliSession;
  const cli = (args: string[]) => session.run(args);
  const incidentId = 'inc_00000000000000000000000007';
  const findingId = 'fnd_00000000000000000000000007';

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    a = await signUp(s.app);
    const token = (await a.client.post('/api/me/tokens', { name: 'cli test' })).body.token as string;
    session = await cliSession(s.app, token);
    // A server (left enrolling: nothing samples it here), two minutes of its CPU figures, and a finding in an incident.
    const server = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'db-1',
      address: 'web-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    const store = createMetricsStore({ engine: 'sqlite' });
    const ids = await store.seriesIds(s.core.db, a.orgId, server.body.id, ['cpu.busy_pct'], new Date().toISOString());
    const now = Math.floor(Date.now() / 1000);
    await store.insertPoints(
      s.core.db,
      [10, 20, 30, 40].map((value, i) => ({ seriesId: ids.get('cpu.busy_pct')!, ts: now - 120 + i * 30, value })),
    );
    const at = new Date().toISOString();
    await s.core.db
      .insertInto('incidents')
      .values({
        id: incidentId,
        org_id: a.orgId,
        title: 'SSH brute force from 203.0.113.9',
        severity: 'warning',
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
        server_name: 'db-1',
        rule: 'ssh_brute_force',
        key: '203.0.113.9',
        severity: 'warning',
        title: 'SSH brute force from 203.0.113.9',
        evidence: '{"failures":12}',
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
  });
  afterAll(async () => {
    await s?.close();
    session?.close();
  });

  it('shows a server’s metrics', async () => {
    const res = await cli(['metrics', 'db-1', '--metrics', 'cpu.busy_pct', '--since', '10m', '--resolution', '1']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/cpu\.busy_pct\s+40\s+25\s+10\s+40\s+4/);
    const bad = await cli(['metrics', 'db-1', '--since', 'a while']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--since must be a duration/);
    expect((await cli(['metrics', 'no-such-server'])).code).toBe(1);
    // No server named: the fleet, per metric the servers that rose highest.
    const fleet = await cli([
      'metrics',
      '--metrics',
      'cpu.busy_pct,load.1',
      '--since',
      '10m',
      '--resolution',
      '1',
      '--top',
      '3',
    ]);
    expect(fleet.code, fleet.stderr).toBe(0);
    expect(fleet.stdout).toMatch(/^cpu\.busy_pct\n\s+db-1\s+40\s+25\s+10\s+40\s+4$/m);
    expect(fleet.stdout).toMatch(/^load\.1 \(no figures\)$/m);
    const tooMany = await cli(['metrics', '--top', '99']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/top/);
  });

  it('adds, lists and removes alert rules', async () => {
    const added = await cli([
      'alerts',
      'add',
      '--name',
      'Disk filling',
      '--metric',
      'disk.used_pct',
      '--above',
      '90',
      '--for',
      '10m',
      '--severity',
      'critical',
    ]);
    expect(added.code, added.stderr).toBe(0);
    const id = /Added (rule_\w+)/.exec(added.stdout)![1]!;
    const unreachable = await cli([
      'alerts',
      'add',
      '--name',
      'Quiet',
      '--unreachable',
      '--for',
      '5m',
      '--server',
      'db-1',
    ]);
    expect(unreachable.code, unreachable.stderr).toBe(0);
    const ls = await cli(['alerts', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`${id}\\s+Disk filling\\s+disk\\.used_pct above 90 for 600s\\s+critical`));
    expect(ls.stdout).toMatch(/Quiet\s+unreachable for 300s/);
    const wrong = await cli(['alerts', 'add', '--name', 'Half', '--metric', 'load.1']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/exactly one of --above or --below/);
    const rejected = await cli(['alerts', 'add', '--name', 'Bad metric', '--metric', 'load;reboot', '--above', '1']);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(/metric/);
    expect((await cli(['alerts', 'rm', id])).code).toBe(0);
    expect((await cli(['alerts', 'ls'])).stdout).not.toContain(id);
    expect((await cli(['alerts', 'rm', id])).code).toBe(1);
  });

  it('lists and acknowledges findings, acknowledges and closes incidents', async () => {
    expect((await cli(['findings', 'ls'])).stdout).toMatch(
      new RegExp(`${findingId}\\s+warning\\s+open\\s+db-1\\s+SSH brute force`),
    );
    expect((await cli(['findings', 'ack', findingId])).stdout).toContain(`${findingId} acknowledged.`);
    expect((await cli(['findings', 'ls', '--status', 'open'])).stdout).not.toContain(findingId);
    expect((await cli(['incidents', 'ack', incidentId])).stdout).toContain(`${incidentId} acknowledged.`);
    expect((await cli(['incidents', 'close', incidentId])).stdout).toContain(`${incidentId} closed.`);
    expect((await cli(['incidents', 'ls', '--status', 'closed'])).stdout).toMatch(
      new RegExp(`${incidentId}\\s+warning\\s+closed\\s+1 finding`),
    );
    const again = await cli(['incidents', 'close', incidentId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/closed already/);
    expect((await cli(['incidents', 'ls', '--status', 'whatever'])).code).toBe(1);
  });
});
