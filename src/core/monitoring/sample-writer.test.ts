import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../../testkit/client.js';
import { ENGINES } from '../../../testkit/db.js';
import { insertReadyServers } from '../../../testkit/servers.js';
import { startTestSteward, type TestSteward } from '../../../testkit/steward.js';
import { createMetricsStore } from './metrics.store.js';
import { createSampleWriter, type SampleWrite } from './sample-writer.js';
import { targetsStore } from './targets.store.js';

describe.each(ENGINES)('group commit of samples (%s)', (engine) => {
  let s: TestSteward;
  let servers: string[];
  const series = new Map<string, number>();
  const metrics = createMetricsStore();

  beforeAll(async () => {
    s = await startTestSteward({ engine });
    const ada = await signUp(s.app, { name: 'Ada Lovelace', orgName: 'Analytical Engines Ltd' });
    servers = await insertReadyServers(s, ada.orgId, ada.userId, 3);
    const at = s.core.clock.iso();
    for (const id of servers) {
      await targetsStore.insertTarget(s.core.db, {
        server_id: id,
        org_id: ada.orgId,
        enabled: 1,
        interval_seconds: 10,
        next_run_ms: 0,
        owner: null,
        lease_until_ms: null,
        set_by: ada.userId,
        counters: null,
        security: null,
        latest: null,
        integrity_at_ms: null,
        last_sample_at: null,
        last_ok_at: null,
        last_error: null,
        failures: 0,
        samples_due: 0,
        samples_taken: 0,
        samples_late: 0,
        samples_missed: 0,
        created_at: at,
        updated_at: at,
      });
      series.set(id, (await metrics.seriesIds(s.core.db, ada.orgId, id, ['load.1'], at)).get('load.1')!);
    }
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  const sample = (serverId: string, ts: number, seriesId = series.get(serverId)!): SampleWrite => ({
    serverId,
    points: [{ seriesId, ts, value: ts / 100 }],
    patch: { last_ok_at: new Date(ts * 1000).toISOString(), failures: 0 },
    taken: { late: false },
  });
  const stored = async (serverId: string) => {
    const t = await targetsStore.target(s.core.db, serverId);
    const points = await s.core.db
      .selectFrom('metric_raw')
      .select(['ts'])
      .where('series_id', '=', series.get(serverId)!)
      .orderBy('ts')
      .execute();
    return { taken: Number(t!.samples_taken), points: points.map((p) => Number(p.ts)) };
  };

  it('holds samples until the batch is full, then stores each with its points', async () => {
    const writer = createSampleWriter({ db: s.core.db, metrics, delayMs: () => 60_000, maxBatch: 3 });
    const first = [writer.write(sample(servers[0]!, 1000)), writer.write(sample(servers[1]!, 1000))];
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await stored(servers[0]!)).toEqual({ taken: 0, points: [] });
    await Promise.all([...first, writer.write(sample(servers[2]!, 1000))]);
    for (const id of servers) expect(await stored(id)).toEqual({ taken: 1, points: [1000] });
  });

  it('writes after the delay without a full batch, and a sample that cannot be stored fails alone', async () => {
    const writer = createSampleWriter({ db: s.core.db, metrics, delayMs: () => 50, maxBatch: 10 });
    const good = [writer.write(sample(servers[0]!, 1010)), writer.write(sample(servers[2]!, 1010))];
    // A point of a series that does not exist: its whole sample (points and state) is refused.
    const bad = writer.write(sample(servers[1]!, 1010, 2_000_000_000));
    await expect(bad).rejects.toThrow();
    await Promise.all(good);
    expect(await stored(servers[0]!)).toEqual({ taken: 2, points: [1000, 1010] });
    expect(await stored(servers[2]!)).toEqual({ taken: 2, points: [1000, 1010] });
    expect(await stored(servers[1]!)).toEqual({ taken: 1, points: [1000] });
  });
});
