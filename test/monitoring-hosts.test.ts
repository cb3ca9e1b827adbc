import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../src/kernel/clock.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../testkit/db.js';
import { signUp, TestClient, type Json, type SignedUp } from '../testkit/client.js';
import { newClientKey, useFleet } from '../testkit/fleet.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { until } from '../testkit/wait.js';
import { untilServerReady } from '../testkit/diagnose.js';

const INTERVAL_S = 10;
const RECIPIENT = 'ops-team@example.com';

/**
 * Monitoring on real isolated hosts: sampling over SSH, detection of what changed on one host only, alert mail
 * through a real SMTP server, and log following across a rotation and a Steward restart. The clock is Steward's
 * injected one; each `tick()` samples whatever is due by then and resolves when the samples are stored.
 */
describe.each(ENGINES)('monitoring and detection on isolated hosts (%s)', (engine) => {
  const fleet = useFleet({ count: 3, spec: (i) => ({ name: `mon-${i}` }) });
  const clock = new FakeClock(Date.now());
  let db: TestDatabase;
  let dataDir: string;
  let smtp: SmtpSink;
  let s: TestSteward;
  let a: SignedUp;
  const ids: string[] = [];

  /**
   * One interval later, every monitored host sampled. The worker's own schedule may take the pass first; `tick()`
   * waits for a pass in flight, so either way the samples are stored when this returns.
   */
  const tick = async () => {
    await s.core.monitoring.tick();
    clock.advance(INTERVAL_S * 1000);
    await s.core.monitoring.tick();
    const targets = await s.core.db
      .selectFrom('monitoring_targets')
      .select(['server_id', 'last_sample_at'])
      .where('enabled', '=', 1)
      .execute();
    expect(targets.map((t) => t.last_sample_at)).toEqual(targets.map(() => clock.iso()));
  };
  const findings = async (serverId: string) =>
    (await a.client.get(`/api/orgs/${a.orgId}/findings?serverId=${serverId}`)).body.findings as {
      rule: string;
      key: string;
      status: string;
      evidence: Record<string, unknown>;
      incidentId: string;
    }[];
  const mailsTo = (subject: RegExp) => smtp.mails.filter((m) => m.to.includes(RECIPIENT) && subject.test(m.subject));

  beforeAll(async () => {
    smtp = await startSmtpSink();
    db = await createTestDatabase(engine);
    dataDir = mkdtempSync(join(tmpdir(), 'steward-mon-'));
    s = await startTestSteward({ engine, clock, db, dataDir, env: { STEWARD_SMTP_URL: smtp.url } });
    s.core.startWorker();
    a = await signUp(s.app);
    const [h0, h1] = fleet.hosts;
    // Host 0 runs a second sshd of its own that logs to /var/log/auth.log (the first logs to its stderr).
    // Its log already holds old failures from elsewhere: history the first read learns from, not an attack now.
    const history = Array.from(
      { length: 15 },
      (_, i) =>
        `Nov  2 03:1${i % 10}:00 mon-0 sshd[${900 + i}]: Invalid user guest from 198.51.100.7 port ${40000 + i}\n`,
    ).join('');
    await h0!.writeFile('/var/log/auth.log', history, 0o640);
    await h0!.spawnDaemon([
      '/usr/sbin/sshd',
      '-D',
      '-E',
      '/var/log/auth.log',
      '-p',
      '2222',
      '-o',
      'PidFile=/run/sshd-auth.pid',
      '-o',
      'PasswordAuthentication=yes',
    ]);
    await until('the listener on port 2222', async () => (await h0!.run(['ss', '-ltn'])).stdout.includes(':2222'), {
      timeoutMs: 30_000,
    });
    // Host 1 has a system log to follow across a rotation.
    await h1!.writeFile('/var/log/syslog', 'boot line one\nboot line two\n', 0o640);
    for (const [i, host] of fleet.hosts.entries()) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: `mon-${i}`,
        address: host.address,
        port: host.port,
        privateKey: fleet.clientKey.privateKey,
        hostKey: host.hostKeys[0]!.publicKey,
      });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    for (const id of ids)
      await untilServerReady(
        s.core,
        id,
        async () => (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}`)).body.status,
        { timeoutMs: 180_000 },
      );
    const settings = await a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, {
      monitorAll: false,
      intervalSeconds: INTERVAL_S,
      recipients: [RECIPIENT],
    });
    expect(settings.status).toBe(200);
    // Only the rules this test sets: the defaults (disk over 90 % …) depend on the machine running the test.
    for (const rule of (await a.client.get(`/api/orgs/${a.orgId}/alert-rules`)).body.rules)
      expect((await a.client.delete(`/api/orgs/${a.orgId}/alert-rules/${rule.id}`)).status).toBe(204);
    for (const id of ids)
      expect(
        (await a.client.put(`/api/orgs/${a.orgId}/servers/${id}/monitoring`, { intervalSeconds: INTERVAL_S })).status,
      ).toBe(200);
    // 1. The first sample of each host finds its logs; 2. the second reads them and learns the baseline.
    await s.core.monitoring.tick();
    await tick();
  }, 600_000);

  afterAll(async () => {
    await s?.close();
    await smtp?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores metrics of every host, queryable by series and range', async () => {
    const to = Math.floor(clock.nowMs() / 1000) + 1;
    for (const id of ids) {
      const res = await a.client.get(
        `/api/orgs/${a.orgId}/servers/${id}/metrics?metrics=mem.used_pct,cpu.busy_pct,load.1,procs.total&from=${to - 600}&to=${to}&resolution=1`,
      );
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(
        res.body.series.map((x: { metric: string; avg: number[] }) => [x.metric, x.avg]),
      );
      expect(byName['mem.used_pct']).toHaveLength(2);
      expect(byName['procs.total']![0]).toBeGreaterThan(0);
      expect(byName['cpu.busy_pct']).toHaveLength(1); // a rate: needs two samples
    }
    const fleetView = (await a.client.get(`/api/orgs/${a.orgId}/monitoring/fleet`)).body.servers;
    expect(fleetView.map((f: { monitored: boolean; lastError: string | null }) => [f.monitored, f.lastError])).toEqual([
      [true, null],
      [true, null],
      [true, null],
    ]);
  });

  it('keeps count of its schedule: intervals nobody sampled are counted missed, never silently dropped', async () => {
    type Schedule = { due: number; taken: number; late: number; missed: number };
    const schedules = async () =>
      new Map(
        ((await a.client.get(`/api/orgs/${a.orgId}/monitoring/fleet`)).body.servers as Json[]).map((f) => [
          f.serverId as string,
          f.schedule as Schedule,
        ]),
      );
    const nextRuns = async () =>
      new Map(
        (await s.core.db.selectFrom('monitoring_targets').select(['server_id', 'next_run_ms']).execute()).map((t) => [
          t.server_id,
          Number(t.next_run_ms),
        ]),
      );
    await tick();
    const before = await schedules();
    const nextBefore = await nextRuns();
    // Nobody samples for three and a half intervals after the last sample. Each server is sampled at its own phase
    // of the interval, so the intervals that began and ended meanwhile (two or three) are due and missed, and the
    // one running now is due and taken.
    clock.advance(3.5 * INTERVAL_S * 1000);
    await s.core.monitoring.tick();
    const after = await schedules();
    for (const id of ids) {
      const b = before.get(id)!;
      const missed = Math.floor((clock.nowMs() - nextBefore.get(id)!) / (INTERVAL_S * 1000));
      expect(missed).toBeGreaterThanOrEqual(2);
      expect(after.get(id)).toEqual({
        due: b.due + missed + 1,
        taken: b.taken + 1,
        late: b.late,
        missed: b.missed + missed,
      });
    }
    // Back on the server's own rhythm: its next interval begins within one interval and is taken in time.
    const nextAfter = await nextRuns();
    for (const id of ids) expect(nextAfter.get(id)! - clock.nowMs()).toBeLessThanOrEqual(INTERVAL_S * 1000);
    clock.advance(Math.max(...ids.map((id) => nextAfter.get(id)!)) - clock.nowMs());
    await s.core.monitoring.tick();
    const next = await schedules();
    for (const id of ids)
      expect(next.get(id)).toMatchObject({ due: after.get(id)!.due + 1, missed: after.get(id)!.missed });
    const totals = await s.core.monitoring.scheduleTotals(a.orgId);
    expect(totals.due).toBe(totals.taken + totals.missed);
  });

  it('a brute force, a new uid-0 account and a new listener are found on their host only, with evidence', async () => {
    const [h0, h1, h2] = fleet.hosts;
    // Real failed logins against host 0's sshd, from an address that is not Steward's (its own logins are not news).
    for (let i = 0; i < 12; i++) {
      const res = await h0!.run([
        'ssh',
        '-p',
        '2222',
        '-o',
        'BatchMode=yes',
        '-o',
        'StrictHostKeyChecking=no',
        '-o',
        'UserKnownHostsFile=/dev/null',
        '-o',
        'PreferredAuthentications=password,publickey',
        'admin@127.0.0.1',
        'true',
      ]);
      expect(res.code).not.toBe(0);
    }
    await until(
      'twelve failed logins in the auth log',
      async () =>
        ((await h0!.readFile('/var/log/auth.log')).toString().match(/Invalid user admin/g) ?? []).length >= 12,
      { timeoutMs: 30_000 },
    );
    expect((await h1!.run(['useradd', '-o', '-u', '0', '-g', '0', '-M', '-s', '/bin/bash', 'toor'])).code).toBe(0);
    await h2!.spawnDaemon(['nc', '-lk', '-p', '9999']);
    await until('the listener on port 9999', async () => (await h2!.run(['ss', '-ltn'])).stdout.includes(':9999'), {
      timeoutMs: 30_000,
    });

    await tick();
    const [f0, f1, f2] = await Promise.all(ids.map(findings));
    expect(f0!.map((f) => f.rule)).toEqual(['ssh_brute_force']);
    expect(f1!.map((f) => f.rule)).toEqual(['privileged_account']);
    expect(f2!.map((f) => f.rule)).toEqual(['listening_port']);
    expect(f0![0]!.key).toBe('127.0.0.1');
    expect(JSON.stringify(f0![0]!.evidence)).toContain('Invalid user admin from 127.0.0.1');
    expect(f1![0]!.key).toContain('toor');
    expect(f2![0]!.key).toContain('9999');
    // Named although the samples before it listed the host's sockets without processes (they were all known).
    expect(String((f2![0]!.evidence as { process?: unknown }).process)).toMatch(/^nc/);
    // Each opened an incident the customer was mailed about at once.
    const incidents = (await a.client.get(`/api/orgs/${a.orgId}/incidents`)).body.incidents as {
      id: string;
      serverIds: string[];
    }[];
    for (const [i, f] of [f0!, f1!, f2!].entries())
      expect(incidents.find((x) => x.id === f[0]!.incidentId)?.serverIds).toEqual([ids[i]]);
    // The new uid-0 account is critical: its incident opened a suspicious-activity grant for host 1 alone.
    const grants = (await a.client.get(`/api/orgs/${a.orgId}/grants`)).body.grants as {
      id: string;
      reason: string;
      incidentId: string;
      state: string;
      scope: { serverIds: string[] };
    }[];
    expect(grants.map((g) => [g.reason, g.incidentId, g.state, g.scope.serverIds])).toEqual([
      ['suspicious_activity', f1![0]!.incidentId, 'requested', [ids[1]]],
    ]);
    expect((incidents as { id: string; grantId?: string }[]).find((x) => x.id === f1![0]!.incidentId)?.grantId).toBe(
      grants[0]!.id,
    );
    await smtp.waitFor(1, 60_000);
    await until('three alert mails', () => mailsTo(/./).length >= 3, { timeoutMs: 30_000 });
    expect(mailsTo(/./).length).toBeGreaterThanOrEqual(3);

    // The same state seen again adds occurrences, not findings.
    await tick();
    expect((await Promise.all(ids.map(findings))).map((f) => f.length)).toEqual([1, 1, 1]);
  });

  it('acknowledges and closes findings and incidents; bad ids are 400 with a code', async () => {
    const f = (await findings(ids[2]!))[0]!;
    const ack = await a.client.post(`/api/orgs/${a.orgId}/incidents/${f.incidentId}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.body.status).toBe('acknowledged');
    const closed = await a.client.post(`/api/orgs/${a.orgId}/incidents/${f.incidentId}/close`);
    expect(closed.body.status).toBe('closed');
    expect((await a.client.post(`/api/orgs/${a.orgId}/incidents/${f.incidentId}/close`)).status).toBe(409);
    const bad = await a.client.post(`/api/orgs/${a.orgId}/findings/not-an-id/acknowledge`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('STEWARD_INVALID_INPUT');
  });

  it('compares with what another worker stored since, not with what this worker keeps of the server', async () => {
    const target = () =>
      s.core.db
        .selectFrom('monitoring_targets')
        .select(['security', 'updated_at'])
        .where('server_id', '=', ids[2]!)
        .executeTakeFirstOrThrow();
    type Memory = { state: { ports: { id: string }[] } };
    const memory = JSON.parse((await target()).security!) as Memory;
    expect(memory.state.ports.map((p) => p.id)).toContain('tcp/9999');
    // Another worker's sample, taken before the listener started: its state without the port, at its own time.
    const other: Memory = {
      ...memory,
      state: { ...memory.state, ports: memory.state.ports.filter((p) => p.id !== 'tcp/9999') },
    };
    const otherAt = new Date(clock.nowMs() - 1).toISOString();
    expect((await target()).updated_at).not.toBe(otherAt);
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ security: JSON.stringify(other), updated_at: otherAt })
      .where('server_id', '=', ids[2]!)
      .execute();
    const open = async () =>
      (await findings(ids[2]!)).filter(
        (f) => f.rule === 'listening_port' && f.key.includes('9999') && f.status !== 'closed',
      );
    expect(await open()).toEqual([]); // the last one was closed with its incident
    // The port is new against the stored state: a finding again (against the kept one, nothing would be new).
    await tick();
    expect((await open()).map((f) => f.key)).toEqual([expect.stringContaining('9999')]);
  });

  it('a threshold alert mails once when it fires and once when it clears', async () => {
    const rule = await a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
      name: 'Disk filling',
      type: 'threshold',
      metric: 'disk.used_pct',
      comparison: 'above',
      threshold: 0,
      durationSeconds: 2 * INTERVAL_S,
      serverId: ids[1],
      severity: 'warning',
    });
    expect(rule.status).toBe(201);
    const fired = () => mailsTo(/^\[warning\] mon-1: Disk filling$/);
    const resolved = () => mailsTo(/^\[resolved\] mon-1: Disk filling$/);
    await tick(); // pending since now
    await tick(); // held for one interval: still pending
    expect((await a.client.get(`/api/orgs/${a.orgId}/alert-events`)).body.events).toEqual([]);
    await tick(); // held for two intervals: firing
    await tick(); // still firing: no second mail
    const events = (await a.client.get(`/api/orgs/${a.orgId}/alert-events?open=true`)).body.events;
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      ruleId: rule.body.id,
      serverId: ids[1],
      resolvedAt: null,
      details: { subject: expect.stringMatching(/^\//) },
    });
    await until('the rule to fire', () => fired().length >= 1, { timeoutMs: 30_000 });
    expect(fired()).toHaveLength(1);

    expect((await a.client.patch(`/api/orgs/${a.orgId}/alert-rules/${rule.body.id}`, { threshold: 100 })).status).toBe(
      200,
    );
    await tick();
    await until('the alert to resolve', () => resolved().length >= 1, { timeoutMs: 30_000 });
    expect(resolved()).toHaveLength(1);
    expect(fired()).toHaveLength(1);
    expect((await a.client.get(`/api/orgs/${a.orgId}/alert-events?open=true`)).body.events).toEqual([]);
  });

  it('a firing rule switched off resolves its alert at once and raises nothing more', async () => {
    const rule = await a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
      name: 'Any load',
      type: 'threshold',
      metric: 'load.1',
      comparison: 'above',
      threshold: -1,
      durationSeconds: 0,
      serverId: ids[2],
      severity: 'info',
    });
    expect(rule.status).toBe(201);
    const open = async () =>
      (await a.client.get(`/api/orgs/${a.orgId}/alert-events?open=true`)).body.events.filter(
        (e: { ruleId: string }) => e.ruleId === rule.body.id,
      );
    await tick();
    expect(await open()).toHaveLength(1);
    const off = await a.client.patch(`/api/orgs/${a.orgId}/alert-rules/${rule.body.id}`, { enabled: false });
    expect([off.status, off.body.enabled]).toEqual([200, false]);
    expect(await open()).toEqual([]);
    await tick();
    expect(await open()).toEqual([]);
    const events = (await a.client.get(`/api/orgs/${a.orgId}/alert-events`)).body.events.filter(
      (e: { ruleId: string }) => e.ruleId === rule.body.id,
    );
    expect(events).toHaveLength(1);
    expect(events[0].resolvedAt).not.toBeNull();
  });

  it('follows a log across a rotation, and never re-reads a line after a restart', async () => {
    const h1 = fleet.hosts[1]!;
    const lines = async () =>
      (
        (await a.client.get(`/api/orgs/${a.orgId}/logs?serverId=${ids[1]}&source=system&limit=500`)).body.lines as {
          line: string;
        }[]
      )
        .map((l) => l.line)
        .reverse();
    expect(await lines()).toEqual(['boot line one', 'boot line two']);
    await h1.run(['sh', '-c', 'echo "before rotation" >> /var/log/syslog']);
    await tick();
    // Rotation: one more line lands in the old file after Steward's last read, then a new file starts.
    await h1.run([
      'sh',
      '-c',
      'mv /var/log/syslog /var/log/syslog.1 && echo "late in old file" >> /var/log/syslog.1 && echo "first of new file" > /var/log/syslog',
    ]);
    await tick();
    expect(await lines()).toEqual([
      'boot line one',
      'boot line two',
      'before rotation',
      'late in old file',
      'first of new file',
    ]);
    const search = await a.client.get(`/api/orgs/${a.orgId}/logs?text=${encodeURIComponent('LATE IN')}`);
    expect(search.body.lines.map((l: { line: string }) => l.line)).toEqual(['late in old file']);

    // A new Steward over the same database carries on from the stored cursor.
    await s.close();
    s = await startTestSteward({ engine, clock, db, dataDir, env: { STEWARD_SMTP_URL: smtp.url } });
    s.core.startWorker();
    a = { ...a, client: new TestClient(s.app, a.client.auth) };
    await h1.run(['sh', '-c', 'echo "after restart" >> /var/log/syslog']);
    await tick();
    expect(await lines()).toEqual([
      'boot line one',
      'boot line two',
      'before rotation',
      'late in old file',
      'first of new file',
      'after restart',
    ]);
  });

  it('a host that stops answering raises an unreachable alert, resolved when it is back', async () => {
    const h2 = fleet.hosts[2]!;
    const rule = await a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
      name: 'Gone quiet',
      type: 'unreachable',
      durationSeconds: INTERVAL_S,
      serverId: ids[2],
      severity: 'critical',
    });
    expect(rule.status).toBe(201);
    await h2.stop();
    await tick(); // no answer: pending
    await tick(); // still none after the duration: firing
    const events = (await a.client.get(`/api/orgs/${a.orgId}/alert-events?open=true`)).body.events;
    expect(events.map((e: { ruleId: string; serverId: string }) => [e.ruleId, e.serverId])).toEqual([
      [rule.body.id, ids[2]],
    ]);
    await h2.start();
    await tick();
    expect((await a.client.get(`/api/orgs/${a.orgId}/alert-events?open=true`)).body.events).toEqual([]);
    await until('two gone-quiet mails', () => mailsTo(/mon-2: Gone quiet/).length >= 2, { timeoutMs: 30_000 });
    expect(mailsTo(/mon-2: Gone quiet/).map((m) => m.subject)).toEqual([
      '[critical] mon-2: Gone quiet',
      '[resolved] mon-2: Gone quiet',
    ]);
  });

  it('a server that is not sampled still gets findings from what discovery found changed', async () => {
    const h0 = fleet.hosts[0]!;
    expect((await a.client.delete(`/api/orgs/${a.orgId}/servers/${ids[0]}/monitoring`)).status).toBe(200);
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ last_ok_at: null })
      .where('server_id', '=', ids[0]!)
      .execute();
    const intruder = newClientKey('intruder@elsewhere');
    await h0.run(['sh', '-c', `echo '${intruder.publicKey}' >> /root/.ssh/authorized_keys`]);
    const res = await a.client.post(`/api/orgs/${a.orgId}/discovery`, { serverIds: [ids[0]] });
    expect(res.status).toBe(202);
    const run = await until(
      'the discovery to finish',
      async () => {
        const body = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${res.body.runId}`)).body;
        return body.finishedAt ? (body as { finishedAt: string; status: string }) : undefined;
      },
      { timeoutMs: 120_000 },
    );
    expect(run.status).toBe('succeeded');
    const found = (await findings(ids[0]!)).filter((f) => f.rule === 'authorized_key');
    expect(found).toHaveLength(1);
    expect(found[0]!.evidence).toMatchObject({ account: 'root', via: 'discovery' });
  });
});
