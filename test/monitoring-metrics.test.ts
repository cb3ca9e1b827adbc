import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsStore } from '../src/core/monitoring/metrics.store.js';
import { phaseOf } from '../src/core/monitoring/phase.js';
import { targetsStore } from '../src/core/monitoring/targets.store.js';
import { FakeClock } from '../src/kernel/clock.js';
import { signUp, TestClient, type SignedUp, type Json } from '../testkit/client.js';
import { ENGINES } from '../testkit/db.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const STEP_S = 10;
const POINTS = 180; // half an hour, every 10 s

/** Metric storage, roll-ups and retention on both engines, plus the monitoring API's answers to bad input. */
describe.each(ENGINES)('metrics and retention (%s)', (engine) => {
  // Whole minutes, so the expected minute buckets are easy to state.
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const clock = new FakeClock(start + 3_600_000);
  let s: TestSteward;
  let a: SignedUp;
  let b: SignedUp;
  let serverId: string;
  const fromS = start / 1000;
  const toS = fromS + POINTS * STEP_S;
  const value = (i: number) => ((i * 37) % 101) + (i % 7) / 10;
  /** A fresh session, for after the clock moved past the last one's lifetime. */
  async function signInAgain(): Promise<void> {
    const res = await new TestClient(s.app).post('/api/auth/signin', { email: a.email, password: a.password });
    expect(res.status).toBe(200);
    a = {
      ...a,
      client: new TestClient(s.app, {
        cookie: String(res.headers['set-cookie']).split(';')[0]!,
        csrf: res.body.csrfToken,
      }),
    };
  }
  const query = (q: string) => a.client.get(`/api/orgs/${a.orgId}/servers/${serverId}/metrics?${q}`);

  /** Average of the raw values in each `bucket` seconds, computed here from what was stored. */
  function expectedAverages(bucket: number): { t: number[]; avg: number[] } {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < POINTS; i++) {
      const ts = fromS + i * STEP_S;
      const key = ts - (ts % bucket);
      groups.set(key, [...(groups.get(key) ?? []), value(i)]);
    }
    const t = [...groups.keys()].sort((x, y) => x - y);
    return {
      t,
      avg: t.map((k) => Math.round((groups.get(k)!.reduce((x, y) => x + y, 0) / groups.get(k)!.length) * 1000) / 1000),
    };
  }

  beforeAll(async () => {
    s = await startTestSteward({ engine, clock });
    a = await signUp(s.app);
    b = await signUp(s.app);
    // A server that stays enrolling (no worker runs here): its series are written through the store directly.
    const server = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'db-1',
      address: 'web-1.invalid',
      password: 'first-login-password',
      trustFirstContact: true,
    });
    expect(server.status).toBe(202);
    serverId = server.body.id;
    const store = createMetricsStore({ engine });
    const ids = await store.seriesIds(s.core.db, a.orgId, serverId, ['cpu.busy_pct'], clock.iso());
    const points = Array.from({ length: POINTS }, (_, i) => ({
      seriesId: ids.get('cpu.busy_pct')!,
      ts: fromS + i * STEP_S,
      value: value(i),
    }));
    expect(await store.insertPoints(s.core.db, points)).toBe(POINTS);
    // The same points again are not counted twice, in raw points or in roll-ups.
    expect(await store.insertPoints(s.core.db, points.slice(0, 30))).toBe(0);
  });
  afterAll(() => s?.close());

  it('answers raw points, and minute roll-ups with the same averages as the raw data', async () => {
    const raw = await query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=10`);
    expect(raw.status).toBe(200);
    expect(raw.body.source).toBe('raw');
    expect(raw.body.series[0].avg).toEqual(Array.from({ length: POINTS }, (_, i) => value(i)));
    for (const bucket of [60, 300, 900]) {
      const rolled = await query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=${bucket}`);
      expect(rolled.body.source).toBe('minute');
      const expected = expectedAverages(bucket);
      expect(rolled.body.series[0].t).toEqual(expected.t);
      expect(rolled.body.series[0].avg).toEqual(expected.avg);
    }
  });

  it('across the fleet: per metric, the servers that rose highest, each with its own series', async () => {
    // Organisation b's fleet: three servers with points at different levels (app-1 low but for one spike at the
    // end), and one with none.
    const store = createMetricsStore({ engine });
    const levels = { 'app-1': 20, 'app-2': 90, 'app-3': 55, 'app-4': null } as const;
    const ids: Record<string, string> = {};
    for (const [i, [name, level]] of Object.entries(levels).entries()) {
      const res = await b.client.post(`/api/orgs/${b.orgId}/servers`, {
        name,
        address: `web-${21 + i}.invalid`,
        password: 'first-login-password',
        trustFirstContact: true,
      });
      expect(res.status).toBe(202);
      ids[name] = res.body.id;
      if (level === null) continue;
      const series = await store.seriesIds(s.core.db, b.orgId, res.body.id, ['cpu.busy_pct', 'load.1'], clock.iso());
      await store.insertPoints(
        s.core.db,
        Array.from({ length: 30 }, (_, i) => [
          {
            seriesId: series.get('cpu.busy_pct')!,
            ts: fromS + i * STEP_S,
            value: name === 'app-1' && i === 29 ? 95 : level + (i % 3),
          },
          { seriesId: series.get('load.1')!, ts: fromS + i * STEP_S, value: level / 10 },
        ]).flat(),
      );
    }
    const fleet = (q: string, who = b) => who.client.get(`/api/orgs/${b.orgId}/monitoring/fleet/metrics?${q}`);
    const res = await fleet(
      `metrics=cpu.busy_pct,load.1,mem.used_pct&from=${fromS}&to=${fromS + 300}&resolution=10&top=2`,
    );
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('raw');
    const [cpu, load, mem] = res.body.series;
    expect([cpu.metric, cpu.unit, cpu.serverCount]).toEqual(['cpu.busy_pct', 'percent', 3]);
    // The two that reached the highest values, highest first (a spike counts); each series is that server's own.
    expect(cpu.servers.map((x: { name: string }) => x.name)).toEqual(['app-1', 'app-2']);
    expect(cpu.servers[1].serverId).toBe(ids['app-2']);
    expect(cpu.servers[1].avg).toEqual(Array.from({ length: 30 }, (_, i) => 90 + (i % 3)));
    expect(cpu.servers[0].t).toEqual(Array.from({ length: 30 }, (_, i) => fromS + i * STEP_S));
    expect(load.servers.map((x: { avg: number[] }) => x.avg[0])).toEqual([9, 5.5]);
    expect([mem.serverCount, mem.servers]).toEqual([0, []]);
    // Minute roll-ups over the same range agree, and organisation a's server is never among b's.
    const rolled = (await fleet(`metrics=cpu.busy_pct&from=${fromS}&to=${fromS + 300}&resolution=60`)).body.series[0];
    expect(rolled.servers.map((x: { name: string }) => x.name)).toEqual(['app-1', 'app-2', 'app-3']);
    expect(rolled.servers[0].avg).toEqual([21, 21, 21, 21, 33.167]);
    expect(rolled.servers.some((x: { serverId: string }) => x.serverId === serverId)).toBe(false);
    // Bad input and another organisation's fleet.
    for (const [pending, status, code] of [
      [fleet('metrics=cpu.busy_pct&top=0'), 400, 'STEWARD_INVALID_INPUT'],
      [fleet('metrics=cpu.busy_pct&top=51'), 400, 'STEWARD_INVALID_INPUT'],
      [fleet(`metrics=${encodeURIComponent('cpu;id')}`), 400, 'STEWARD_INVALID_INPUT'],
      [fleet(`metrics=cpu.busy_pct&from=${toS}&to=${fromS}`), 400, 'STEWARD_INVALID_INPUT'],
      [fleet('metrics=cpu.busy_pct', a), 404, 'STEWARD_NOT_FOUND'],
    ] as const) {
      const r = await pending;
      expect([r.status, r.body.error?.code]).toEqual([status, code]);
    }
    // Gone again, so the retention test below counts organisation a's points only.
    const seriesIds = (
      await s.core.db.selectFrom('metric_series').select('id').where('org_id', '=', b.orgId).execute()
    ).map((x) => x.id);
    for (const table of ['metric_raw', 'metric_minute'] as const)
      await s.core.db.deleteFrom(table).where('series_id', 'in', seriesIds).execute();
  });

  it('searches log lines literally and case-insensitively, and expires them', async () => {
    const row = (line: string, at: string) => ({
      org_id: a.orgId,
      server_id: serverId,
      source: 'web' as const,
      path: '/var/log/nginx/access.log',
      observed_at: at,
      line,
    });
    await s.core.db
      .insertInto('log_lines')
      .values([
        row('GET /a%b 200', clock.iso()),
        row('GET /aXb 200', clock.iso()),
        row('old line', new Date(clock.nowMs() - s.config.monitoring.logRetentionMs - 1000).toISOString()),
      ])
      .execute();
    const found = await a.client.get(`/api/orgs/${a.orgId}/logs?text=${encodeURIComponent('/A%B')}`);
    expect(found.status).toBe(200);
    expect(found.body.lines.map((l: { line: string }) => l.line)).toEqual(['GET /a%b 200']);
    expect((await s.core.monitoring.applyRetention()).logLines).toBe(1);
    expect((await a.client.get(`/api/orgs/${a.orgId}/logs?serverId=${serverId}`)).body.lines).toHaveLength(2);
  });

  it('bad input is a 4xx with a stable code, never a 500', async () => {
    const cases: [Promise<{ status: number; body: Json }>, number, string][] = [
      [query(`metrics=${encodeURIComponent('cpu;rm -rf /')}&from=${fromS}&to=${toS}`), 400, 'STEWARD_INVALID_INPUT'],
      [query(`metrics=cpu.busy_pct&from=${toS}&to=${fromS}`), 400, 'STEWARD_INVALID_INPUT'],
      [query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=7`), 400, 'STEWARD_INVALID_INPUT'],
      [query('metrics=cpu.busy_pct&from=yesterday'), 400, 'STEWARD_INVALID_INPUT'],
      [
        a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, {
          monitorAll: true,
          intervalSeconds: 5,
          recipients: [],
        }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [
        a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, { monitorAll: true, recipients: ['not an address'] }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [
        a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
          name: 'No metric',
          type: 'threshold',
          durationSeconds: 60,
          severity: 'warning',
        }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [
        a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
          name: 'Odd',
          type: 'unreachable',
          metric: 'load.1',
          durationSeconds: 60,
          severity: 'warning',
        }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [
        a.client.post(`/api/orgs/${a.orgId}/alert-rules`, {
          name: 'Neg',
          type: 'threshold',
          metric: 'load.1',
          comparison: 'above',
          threshold: 1,
          durationSeconds: -1,
          severity: 'warning',
        }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [a.client.get(`/api/orgs/${a.orgId}/logs?from=not-a-time`), 400, 'STEWARD_INVALID_INPUT'],
      [
        a.client.put(`/api/orgs/${a.orgId}/servers/${serverId}/monitoring`, { intervalSeconds: 9 }),
        400,
        'STEWARD_INVALID_INPUT',
      ],
      [a.client.post(`/api/orgs/${a.orgId}/incidents/inc_00000000000000000000000009/close`), 404, 'STEWARD_NOT_FOUND'],
      // Another organisation's server, rules and settings are not there at all.
      [b.client.get(`/api/orgs/${a.orgId}/servers/${serverId}/metrics`), 404, 'STEWARD_NOT_FOUND'],
      [b.client.get(`/api/orgs/${b.orgId}/servers/${serverId}/metrics`), 404, 'STEWARD_NOT_FOUND'],
      [b.client.put(`/api/orgs/${b.orgId}/servers/${serverId}/monitoring`, {}), 404, 'STEWARD_NOT_FOUND'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect([res.status, res.body.error?.code]).toEqual([status, code]);
    }
  });

  it('settings keep the recipients sealed, and a first setting brings the default rules', async () => {
    const put = await a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, {
      monitorAll: false,
      intervalSeconds: 30,
      recipients: ['Ops@Example.com', 'ops@example.com', 'night@example.com'],
    });
    expect(put.status).toBe(200);
    expect(put.body.recipients).toEqual(['ops@example.com', 'night@example.com']);
    const row = await s.core.db
      .selectFrom('monitoring_settings')
      .selectAll()
      .where('org_id', '=', a.orgId)
      .executeTakeFirstOrThrow();
    expect(row.recipients_sealed).not.toContain('example.com');
    expect(row.recipient_count).toBe(2);
    expect((await a.client.get(`/api/orgs/${a.orgId}/monitoring/settings`)).body).toEqual({
      monitorAll: false,
      intervalSeconds: 30,
      recipients: ['ops@example.com', 'night@example.com'],
    });
    const rules = (await a.client.get(`/api/orgs/${a.orgId}/alert-rules`)).body.rules;
    expect(rules.map((r: { type: string; metric: string | null }) => [r.type, r.metric])).toEqual([
      ['threshold', 'disk.used_pct'],
      ['threshold', 'mem.used_pct'],
      ['unreachable', null],
    ]);
    // "Every server": a server that is ready is monitored at the organisation's interval; one switched off stays off.
    const monitored = async () =>
      (await a.client.get(`/api/orgs/${a.orgId}/monitoring/fleet`)).body.servers.map(
        (f: { monitored: boolean; intervalSeconds: number | null }) => [f.monitored, f.intervalSeconds],
      );
    expect(await monitored()).toEqual([[false, null]]);
    await s.core.db.updateTable('servers').set({ status: 'ready' }).where('id', '=', serverId).execute();
    expect(
      (await a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, { monitorAll: true, recipients: [] })).status,
    ).toBe(200);
    expect(await monitored()).toEqual([[true, 30]]);
    expect((await a.client.delete(`/api/orgs/${a.orgId}/servers/${serverId}/monitoring`)).status).toBe(200);
    expect(
      (await a.client.put(`/api/orgs/${a.orgId}/monitoring/settings`, { monitorAll: true, recipients: [] })).status,
    ).toBe(200);
    expect(await monitored()).toEqual([[false, 30]]);
    await s.core.db.updateTable('servers').set({ status: 'enrolling' }).where('id', '=', serverId).execute();
  });
  it('monitoring every server spreads first samples over an interval; a lone server starts at once', async () => {
    const firstRuns = async () =>
      new Map(
        (
          await s.core.db
            .selectFrom('monitoring_targets')
            .select(['server_id', 'next_run_ms'])
            .where('org_id', '=', b.orgId)
            .execute()
        ).map((t) => [t.server_id, Number(t.next_run_ms)]),
      );
    const addReady = async (name: string) => {
      const res = await b.client.post(`/api/orgs/${b.orgId}/servers`, {
        name,
        address: `${name}.invalid`,
        password: 'first-login-password',
        trustFirstContact: true,
      });
      expect(res.status).toBe(202);
      await s.core.db.updateTable('servers').set({ status: 'ready' }).where('id', '=', res.body.id).execute();
      return res.body.id as string;
    };
    const fleet = [];
    for (let i = 0; i < 12; i++) fleet.push(await addReady(`fleet-${i}`));
    const now = clock.nowMs();
    const put = await b.client.put(`/api/orgs/${b.orgId}/monitoring/settings`, {
      monitorAll: true,
      intervalSeconds: 30,
      recipients: [],
    });
    expect(put.status).toBe(200);
    const firsts = await firstRuns();
    expect([...firsts.keys()].sort()).toEqual([...fleet].sort());
    for (const [id, first] of firsts) {
      expect(first).toBeGreaterThanOrEqual(now);
      expect(first).toBeLessThan(now + 30_000);
      expect((first - phaseOf(id, 30_000)) % 30_000).toBe(0);
    }
    // Not all due at once: twelve servers' phases fall in more than two distinct seconds of the interval.
    expect(new Set([...firsts.values()].map((f) => Math.floor((f - now) / 1000))).size).toBeGreaterThan(2);
    // A server that becomes ready later, alone, is sampled at once.
    const lone = await addReady('lone');
    expect((await b.client.put(`/api/orgs/${b.orgId}/monitoring/settings`, put.body)).status).toBe(200);
    expect((await firstRuns()).get(lone)).toBe(now);
    await s.core.db.updateTable('monitoring_targets').set({ enabled: 0 }).where('org_id', '=', b.orgId).execute();
    await s.core.db.updateTable('servers').set({ status: 'enrolling' }).where('org_id', '=', b.orgId).execute();
  });

  it('a slot is claimed by one worker only, and a lease keeps a server with its worker until released', async () => {
    const now = clock.nowMs();
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ enabled: 1, next_run_ms: now, owner: null, lease_until_ms: null })
      .where('server_id', '=', serverId)
      .execute();
    const claim = (worker: string, expected: number, next: number) =>
      targetsStore
        .claim(s.core.db, {
          serverId,
          expectedNext: expected,
          next,
          worker,
          nowMs: now,
          leaseUntil: now + 600_000,
          missed: 0,
        })
        .then((row) => row !== undefined);
    const dueCount = async () =>
      Number(
        (
          await s.core.db
            .selectFrom('monitoring_targets')
            .select('samples_due')
            .where('server_id', '=', serverId)
            .executeTakeFirstOrThrow()
        ).samples_due,
      );
    const dueBefore = await dueCount();
    // 1. Two workers race for the same slot: exactly one wins (either may, on PostgreSQL's two connections), and
    //    the interval is counted due once.
    const raced = await Promise.all([claim('w1', now, now + 30_000), claim('w2', now, now + 30_000)]);
    expect(raced.filter(Boolean)).toHaveLength(1);
    expect(await dueCount()).toBe(dueBefore + 1);
    const [winner, other] = raced[0] ? ['w1', 'w2'] : ['w2', 'w1'];
    // 2. The next slot: the other worker may not take it while the winner's lease runs; the winner may.
    expect(await claim(other, now + 30_000, now + 60_000)).toBe(false);
    expect(await claim(winner, now + 30_000, now + 60_000)).toBe(true);
    // 3. The winner stops and gives its servers up: the other takes the next slot at once.
    await targetsStore.releaseOwned(s.core.db, winner);
    expect(await claim(other, now + 60_000, now + 90_000)).toBe(true);
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ enabled: 0, owner: null, lease_until_ms: null })
      .where('server_id', '=', serverId)
      .execute();
  });

  it('a slot sampled under a held lease moves the schedule on with the sample’s own write, once', async () => {
    const now = clock.nowMs();
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ enabled: 1, next_run_ms: now, owner: 'w1', lease_until_ms: now + 600_000 })
      .where('server_id', '=', serverId)
      .execute();
    const counts = () =>
      s.core.db
        .selectFrom('monitoring_targets')
        .select(['next_run_ms', 'lease_until_ms', 'samples_due', 'samples_taken', 'samples_missed', 'last_error'])
        .where('server_id', '=', serverId)
        .executeTakeFirstOrThrow();
    const before = await counts();
    const held = (worker: string, expectedNext: number) => ({
      worker,
      expectedNext,
      next: now + 30_000,
      missed: 2,
      leaseUntil: now + 900_000,
    });
    const write = (worker: string, expectedNext: number, error: string) =>
      targetsStore.updateTarget(
        s.core.db,
        serverId,
        { last_error: error },
        { late: false },
        held(worker, expectedNext),
      );
    // Another worker's result for the slot, or a result for a slot already moved on, writes nothing at all.
    expect(await write('w2', now, 'from w2')).toBe(0);
    expect(await counts()).toEqual(before);
    // The holder's result moves the slot on, counts the interval (and the two it missed) and renews the lease.
    expect(await write('w1', now, 'from w1')).toBe(1);
    expect(await counts()).toEqual({
      next_run_ms: now + 30_000,
      lease_until_ms: now + 900_000,
      samples_due: Number(before.samples_due) + 3,
      samples_taken: Number(before.samples_taken) + 1,
      samples_missed: Number(before.samples_missed) + 2,
      last_error: 'from w1',
    });
    const after = await counts();
    expect(await write('w1', now, 'twice')).toBe(0);
    expect(await counts()).toEqual(after);
    await s.core.db
      .updateTable('monitoring_targets')
      .set({ enabled: 0, owner: null, lease_until_ms: null, last_error: null })
      .where('server_id', '=', serverId)
      .execute();
  });

  it('a held target is read with every column but what its previous sample stored, which is read on its own', async () => {
    const memory = { counters: '{"cpu":[1,2]}', security: '{"state":null,"procs":[],"disks":[]}', latest: '{}' };
    await s.core.db.updateTable('monitoring_targets').set(memory).where('server_id', '=', serverId).execute();
    const whole = await targetsStore.target(s.core.db, serverId);
    const { counters, security, latest, ...rest } = whole!;
    expect({ counters, security, latest }).toEqual(memory);
    // Every other column, with the same values and types (a column added later must be added to the held read).
    const held = await targetsStore.heldTargets(s.core.db, [serverId, 'srv_none']);
    expect([...held.keys()]).toEqual([serverId]);
    expect(held.get(serverId)).toEqual(rest);
    expect(await targetsStore.memoryOf(s.core.db, serverId)).toEqual({
      counters,
      security,
      updated_at: rest.updated_at,
    });
    expect(await targetsStore.heldTargets(s.core.db, [])).toEqual(new Map());
  });

  it('keeps minute roll-ups after raw points expire, and drops them after their own retention (last: it moves the clock past every session)', async () => {
    const before = (await query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=60`)).body.series[0];
    clock.advance(s.config.monitoring.rawRetentionMs);
    const pruned = await s.core.monitoring.applyRetention();
    await signInAgain();
    expect(pruned.raw).toBe(POINTS);
    expect(pruned.minute).toBe(0);
    // Asked for raw points that are gone, the answer comes from the roll-ups, unchanged.
    const after = await query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=10`);
    expect(after.body.source).toBe('minute');
    expect(after.body.series[0]).toEqual(before);
    clock.advance(s.config.monitoring.minuteRetentionMs);
    expect((await s.core.monitoring.applyRetention()).minute).toBe(POINTS / 6);
    await signInAgain();
    expect((await query(`metrics=cpu.busy_pct&from=${fromS}&to=${toS}&resolution=60`)).body.series[0].t).toEqual([]);
  });
});
