// Engine: PostgreSQL only: one real-host journey on pg-boss and the PostgreSQL stores; servers, tasks and discovery run the same work on SQLite (docs/testing.md).
/**
 * The servers journey through the API, on three real isolated hosts: add them, watch Steward enrol and discover
 * them, run initial setup on all three with live progress, see it change nothing the second time, and see the
 * change in each server's facts. Every login is in the ledger, every action in the audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { signUp, type SignedUp } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { RECIPE_HOST_PACKAGES } from '../testkit/task-context.js';
import { until } from '../testkit/wait.js';

describe('journey: three servers, initial setup, facts and their diff', () => {
  const fleet = useFleet({ count: 3, extraPackages: RECIPE_HOST_PACKAGES, spec: (i) => ({ name: `shop-${i}` }) });
  let s: TestSteward;
  let a: SignedUp;
  const ids: string[] = [];

  const get = async (path: string) => (await a.client.get(`/api/orgs/${a.orgId}${path}`)).body;
  const finished = (runId: string) =>
    until(
      `run ${runId}`,
      async () => {
        const run = await get(`/task-runs/${runId}`);
        return run.finishedAt ? run : undefined;
      },
      { timeoutMs: 300_000 },
    );

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'postgres' });
    s.core.startWorker();
    a = await signUp(s.app);
  });
  afterAll(() => s?.close());

  it('adds three servers, which are enrolled and discovered', async () => {
    for (const [i, host] of fleet.hosts.entries()) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: `shop-${i}`,
        address: host.address,
        port: host.port,
        privateKey: fleet.clientKey.privateKey,
        hostKeyFingerprint: host.hostKeys[0]!.sha256,
      });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
    }
    for (const id of ids)
      await until(
        'first discovery',
        async () => ((await get(`/servers/${id}/snapshots`)).snapshots.length > 0 ? true : undefined),
        { timeoutMs: 300_000 },
      );
    for (const [i, id] of ids.entries())
      expect((await get(`/servers/${id}/facts`)).facts.identity.hostname).toBe(`shop-${i}`);
  });

  it('runs initial setup on all three with live progress; a second run changes nothing', async () => {
    const started = await a.client.post(`/api/orgs/${a.orgId}/task-runs`, { recipe: 'initial-setup', serverIds: ids });
    expect(started.status, started.raw).toBe(202);
    // Progress and output are visible while it runs.
    const seen = new Set<string>();
    let cursor = '';
    for (;;) {
      const page = await get(`/task-runs/${started.body.id}/output${cursor ? `?after=${cursor}` : ''}`);
      for (const e of page.entries) seen.add(e.serverId);
      cursor = page.cursor;
      if (page.finished && page.entries.length === 0) break;
      await sleep(200);
    }
    expect(seen).toEqual(new Set(ids));
    const first = await finished(started.body.id);
    expect(first.status, JSON.stringify(first.hosts.map((h: { error: string }) => h.error))).toBe('succeeded');
    expect(first.progress).toMatchObject({ total: 3, done: 3, failed: 0, changed: 3 });
    const again = await finished(
      (await a.client.post(`/api/orgs/${a.orgId}/task-runs`, { recipe: 'initial-setup', serverIds: ids })).body.id,
    );
    expect(again.status).toBe('succeeded');
    expect(again.progress.changed).toBe(0);
    for (const h of again.hosts)
      expect(h.steps.every((st: { status: string }) => st.status === 'unchanged')).toBe(true);
  });

  it('shows each server’s facts and what the setup changed', async () => {
    const run = await a.client.post(`/api/orgs/${a.orgId}/discovery`, { serverIds: ids });
    expect((await finished(run.body.runId)).status).toBe('succeeded');
    for (const id of ids) {
      const [latest] = (await get(`/servers/${id}/snapshots`)).snapshots;
      const changes = latest.changes.map(
        (c: { category: string; action: string; id: string }) => `${c.category} ${c.action} ${c.id}`,
      );
      expect(
        changes.some((c: string) => /^users added steward-admin/.test(c)),
        changes.join('\n'),
      ).toBe(true);
      expect(
        changes.some((c: string) => /^sudo_grants added .*steward-admin/.test(c)),
        changes.join('\n'),
      ).toBe(true);
      const facts = (await get(`/servers/${id}/facts`)).facts;
      expect(facts.serviceConfig.sshd.passwordAuthentication).toBe(false);
    }
  });

  it('every login is in the ledger and every action in the audit', async () => {
    const uses = (await get('/credential-uses?limit=500')).uses as {
      operation: string;
      instruction: { type: string; actorId: string };
    }[];
    const ops = uses.map((u) => u.operation);
    for (const op of ['ssh.login:enrol.verify', 'ssh.login:discovery', 'ssh.login:task:initial-setup'])
      expect(ops.filter((o) => o === op).length, op).toBeGreaterThanOrEqual(3);
    expect(uses.every((u) => u.instruction.type === 'user_action' && u.instruction.actorId === a.userId)).toBe(true);
    const actions = (await get('/audit?limit=500')).entries.map((e: { action: string }) => e.action);
    for (const action of ['server.added', 'server.enrolled', 'server.discovered', 'task.started', 'task.finished'])
      expect(actions).toContain(action);
    expect((await s.core.audit.verify()).broken).toBeUndefined();
  });
});
