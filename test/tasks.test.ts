// Engine: SQLite only: what this checks happens on real hosts and in the SSH gateway; its stores run on both engines elsewhere (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp, type Json } from '../testkit/client.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';
import { untilServerReady } from '../testkit/diagnose.js';

async function waitForRun(a: SignedUp, runId: string): Promise<Json> {
  return until(`run ${runId} to finish`, async () => {
    const run = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${runId}`)).body;
    return run.finishedAt ? run : undefined;
  });
}

async function allOutput(a: SignedUp, runId: string): Promise<Map<string, string>> {
  const byServer = new Map<string, string>();
  let cursor = '';
  for (;;) {
    const page = (
      await a.client.get(`/api/orgs/${a.orgId}/task-runs/${runId}/output${cursor ? `?after=${cursor}` : ''}`)
    ).body;
    for (const e of page.entries)
      if (e.stream === 'stdout') byServer.set(e.serverId, (byServer.get(e.serverId) ?? '') + e.data);
    if (page.entries.length === 0) return byServer;
    cursor = page.cursor;
  }
}

describe('tasks: ad-hoc commands fanned out over real hosts', () => {
  const fleet = useFleet({
    count: 3,
    spec: (i) => ({ name: `task-host-${i}`, files: i === 1 ? [{ path: '/etc/only-here', content: 'x' }] : [] }),
  });
  let s: TestSteward;
  let a: SignedUp;
  const ids: string[] = [];

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.queue.start();
    a = await signUp(s.app);
    for (const [i, host] of fleet.hosts.entries()) {
      const res = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
        name: `t${i}`,
        address: host.address,
        port: host.port,
        privateKey: fleet.clientKey.privateKey,
        hostKey: host.hostKeys[0]!.publicKey,
      });
      ids.push(res.body.id);
    }
    for (const id of ids)
      await untilServerReady(
        s.core,
        id,
        async () => (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}`)).body.status,
      );
  });
  afterAll(() => s?.close());

  it('runs a command on every server with per-server output, history and audit', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, { argv: ['uname', '-n'], serverIds: ids });
    expect(res.status).toBe(202);
    expect(res.body.progress.total).toBe(3);
    const run = await waitForRun(a, res.body.id);
    expect(run.status).toBe('succeeded');
    expect(run.hosts.map((h: { exitCode: number }) => h.exitCode)).toEqual([0, 0, 0]);
    const out = await allOutput(a, run.id);
    for (const [i, id] of ids.entries()) expect(out.get(id)).toBe(`task-host-${i}\n`);
    const history = (await a.client.get(`/api/orgs/${a.orgId}/task-runs?serverId=${ids[0]}`)).body.runs;
    expect(history.map((r: { id: string }) => r.id)).toContain(run.id);
    const audit = (await a.client.get(`/api/orgs/${a.orgId}/audit?action=task.finished`)).body.entries;
    expect(audit[0]).toMatchObject({ target: { id: run.id }, details: { status: 'succeeded', total: 3 } });
    // Each server's part was its own login, recorded against this request.
    const uses = (await a.client.get(`/api/orgs/${a.orgId}/credential-uses`)).body.uses.filter(
      (u: { operation: string }) => u.operation === 'ssh.login:task:command',
    );
    expect(uses.length).toBeGreaterThanOrEqual(3);
  });

  it('closes a run whose closing was lost: on the next read, and by the sweep', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, { argv: ['true'], serverIds: ids });
    const run = await waitForRun(a, res.body.id);
    expect(run.status).toBe('succeeded');
    const reopen = () =>
      s.core.db
        .updateTable('task_runs')
        .set({ status: 'running', finished_at: null })
        .where('id', '=', run.id)
        .execute();
    const stored = () =>
      s.core.db
        .selectFrom('task_runs')
        .select(['status', 'finished_at'])
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();

    // Every host is final but the run row says running (its closer died): a read closes it first.
    await reopen();
    const read = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${run.id}`)).body;
    expect(read).toMatchObject({ status: 'succeeded' });
    expect(read.finishedAt).not.toBeNull();
    expect((await stored()).status).toBe('succeeded');

    // With no one reading, the cluster sweep closes it.
    await reopen();
    expect(await s.core.tasks.sweepAbandoned()).toBeGreaterThanOrEqual(1);
    expect(await stored()).toMatchObject({ status: 'succeeded' });
    expect((await stored()).finished_at).not.toBeNull();
  });

  it('reports a partial run when the command fails on some servers', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, {
      argv: ['test', '-e', '/etc/only-here'],
      all: true,
    });
    const run = await waitForRun(a, res.body.id);
    expect(run.status).toBe('partial');
    expect(run.progress).toMatchObject({ total: 3, done: 1, failed: 2 });
  });

  it('passes hostile arguments byte for byte and never runs them', async () => {
    const hostile = [
      '$(touch /tmp/pwned)',
      '`touch /tmp/pwned`',
      "'; touch /tmp/pwned; '",
      '-oProxyCommand=touch /tmp/pwned',
      'a\nb',
      '*',
      'ünïcødé',
    ];
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, {
      argv: ['printf', '%s\\0', ...hostile],
      serverIds: [ids[0]],
    });
    const run = await waitForRun(a, res.body.id);
    expect(run.status).toBe('succeeded');
    const out = (await allOutput(a, run.id)).get(ids[0]!)!;
    expect(out.split('\0').slice(0, -1)).toEqual(hostile);
    expect((await fleet.hosts[0]!.run(['test', '-e', '/tmp/pwned'])).code).toBe(1);
  });

  it('streams live output as server-sent events', async () => {
    const res = await a.client.post(`/api/orgs/${a.orgId}/commands`, {
      argv: ['sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.3; done'],
      serverIds: [ids[2]],
    });
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (s.app.server.address() as { port: number }).port;
    const stream = await fetch(`http://127.0.0.1:${port}/api/orgs/${a.orgId}/task-runs/${res.body.id}/events`, {
      headers: { cookie: a.client.auth.cookie! },
    });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await stream.text();
    expect(text).toMatch(/event: output\ndata: .*tick 1/);
    expect(text).toMatch(/event: progress/);
    expect(text).toMatch(/event: end\ndata: \{"status":"succeeded"\}/);
  });

  it('refuses servers that are not ready, and unknown recipes, with clear messages', async () => {
    const bad = await a.client.post(`/api/orgs/${a.orgId}/task-runs`, { recipe: 'no-such-recipe', all: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/no recipe/);
    const other = await signUp(s.app);
    expect(
      (await other.client.post(`/api/orgs/${other.orgId}/commands`, { argv: ['true'], serverIds: [ids[0]] })).status,
    ).toBe(404);
  });
});
