// Engine: SQLite only: what this checks happens on a real host and in the discovery runner; the snapshot store runs on both engines elsewhere (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp, type Json } from '../testkit/client.js';
import { newClientKey, useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

/** The facts an unchanged section stands for (what the next run takes from the previous snapshot). */
const REUSED = ['packages', 'users', 'groups', 'admins', 'sshKeys', 'logs'] as const;

describe('incremental discovery on a real host', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'incr-0' }) });
  let s: TestSteward;
  let a: SignedUp;
  let id = '';

  const snapshots = async () =>
    (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}/snapshots`)).body.snapshots as { id: string }[];

  /** Runs one discovery; returns its facts and the sections that answered "unchanged". */
  async function discover(body: Json = {}): Promise<{ facts: Json; unchanged: string[]; fingerprints: string }> {
    const res = await a.client.post(`/api/orgs/${a.orgId}/discovery`, { serverIds: [id], ...body });
    expect(res.status).toBe(202);
    const runId = res.body.runId as string;
    const run = await until(
      'the discovery run to finish',
      async () => {
        const r = (await a.client.get(`/api/orgs/${a.orgId}/task-runs/${runId}`)).body;
        return r.finishedAt ? r : undefined;
      },
      { timeoutMs: 180_000 },
    );
    expect(run.status).toBe('succeeded');
    const out = await s.core.db.selectFrom('task_output').select('data').where('run_id', '=', runId).execute();
    const line = out.map((o) => o.data).find((d) => d.includes('Unchanged since the last run:'));
    const unchanged = line ? (/Unchanged since the last run: ([^.]*)\./.exec(line)?.[1] ?? '').split(', ') : [];
    const snap = await s.core.db
      .selectFrom('discovery_snapshots')
      .select(['facts', 'fingerprints'])
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    return { facts: JSON.parse(snap.facts) as Json, unchanged, fingerprints: snap.fingerprints ?? '' };
  }

  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite' });
    s.core.startWorker();
    a = await signUp(s.app);
    const host = fleet.hosts[0]!;
    const res = await a.client.post(`/api/orgs/${a.orgId}/servers`, {
      name: 'incr-0',
      address: host.address,
      port: host.port,
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    id = res.body.id;
    await until("the server's first snapshot", async () => (await snapshots()).length > 0, { timeoutMs: 180_000 });
  }, 300_000);
  afterAll(() => s?.close());

  it('a repeat run of an unchanged host answers unchanged and yields identical facts', async () => {
    const first = await discover({ full: true });
    expect(first.unchanged).toEqual([]);
    // Fingerprints are two whole numbers per section: nothing read from a file travels back.
    expect(Object.keys(JSON.parse(first.fingerprints))).toEqual(['packages', 'users', 'access', 'sshkeys', 'logs']);
    expect(Object.values(JSON.parse(first.fingerprints))).toEqual(Array(5).fill(expect.stringMatching(/^\d+ \d+$/)));
    const again = await discover();
    expect(again.unchanged).toEqual(['packages', 'users', 'access', 'sshkeys', 'logs']);
    for (const k of REUSED) expect(again.facts[k]).toEqual(first.facts[k]);
    expect(again.facts.packages.length).toBeGreaterThan(50);
    expect(again.facts.admins.uid0).toEqual(['root']);
  });

  it('a changed group file re-runs exactly the sections that read it', async () => {
    const host = fleet.hosts[0]!;
    expect((await host.run(['groupadd', 'incr-ops'])).code).toBe(0);
    const r = await discover();
    expect(r.unchanged).toEqual(['packages', 'sshkeys', 'logs']);
    expect(r.facts.groups.map((g: { name: string }) => g.name)).toContain('incr-ops');
  });

  it('a new package entry re-runs the packages section only', async () => {
    const host = fleet.hosts[0]!;
    const entry = [
      'Package: steward-incr-probe',
      'Status: install ok installed',
      'Priority: optional',
      'Architecture: all',
      'Version: 1.2.3',
      'Maintainer: nobody <nobody@example.invalid>',
      'Description: probe',
      '',
      '',
    ].join('\n');
    expect((await host.run(['sh', '-c', `printf '%s' '${entry}' >>/var/lib/dpkg/status`])).code).toBe(0);
    const r = await discover();
    expect(r.unchanged).toEqual(['users', 'access', 'sshkeys', 'logs']);
    expect(r.facts.packages).toContainEqual(expect.objectContaining({ name: 'steward-incr-probe', version: '1.2.3' }));
  });

  it('a line written to a log re-runs the logs section only, and the line is in the facts', async () => {
    const host = fleet.hosts[0]!;
    const line = 'Dec  5 10:00:00 incr-0 sshd[4242]: Accepted publickey for root from 192.0.2.7 port 50000 ssh2';
    expect((await host.run(['sh', '-c', `printf '%s\\n' '${line}' >>/var/log/auth.log`])).code).toBe(0);
    const r = await discover();
    expect(r.unchanged).toEqual(['packages', 'users', 'access', 'sshkeys']);
    const log = (r.facts.logs as { path: string; recentLines: string[] }[]).find((l) => l.path === '/var/log/auth.log');
    expect(log?.recentLines.at(-1)).toBe(line);
    const again = await discover();
    expect(again.unchanged).toEqual(['packages', 'users', 'access', 'sshkeys', 'logs']);
    expect(again.facts.logs).toEqual(r.facts.logs);
  });

  it('an added authorized key re-runs the SSH keys section; --full re-runs everything', async () => {
    const host = fleet.hosts[0]!;
    const key = newClientKey().publicKey.trim().split(' ').slice(0, 2).join(' ');
    expect((await host.run(['sh', '-c', `printf '%s incr-probe\\n' '${key}' >>/root/.ssh/authorized_keys`])).code).toBe(
      0,
    );
    const r = await discover();
    expect(r.unchanged).toEqual(['packages', 'users', 'access', 'logs']);
    expect(r.facts.sshKeys.authorized.map((k: { comment: string | null }) => k.comment)).toContain('incr-probe');
    const full = await discover({ full: true });
    expect(full.unchanged).toEqual([]);
    for (const k of REUSED) expect(full.facts[k]).toEqual(r.facts[k]);
  });
});
