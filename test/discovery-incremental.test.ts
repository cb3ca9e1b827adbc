// Engine: SQLite only: what this checks happens on a real host and in the discovery runner; the snapshot store runs on both engines elsewhere (docs/testing.md).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, type SignedUp, type Json } from '../testkit/client.js';
import { newClientKey, useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { serverDiagnosis } from '../testkit/diagnose.js';
import { until } from '../testkit/wait.js';

/** The facts an unchanged section stands for (what the next run takes from the previous snapshot). */
const REUSED = ['packages', 'users', 'groups', 'admins', 'sshKeys', 'certificates', 'locations', 'logs'] as const;
/** The sections with fingerprints, in the order the script prints them. */
const ALL = ['packages', 'users', 'access', 'sshkeys', 'certificates', 'apps', 'logs'];
const but = (...ran: string[]) => ALL.filter((s) => !ran.includes(s));
const CANARY = `Cn4ry-incr-${Math.random().toString(36).slice(2, 10)}-pw`;
const CERT = readFileSync(new URL('../src/core/discovery/fixtures/debian12/site.crt', import.meta.url), 'utf8');

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
    await until(
      "the server's first snapshot",
      async () => {
        if ((await snapshots()).length > 0) return true;
        // Not yet: say where the server is, so a timeout tells why; a server that failed for good ends the wait.
        const server = (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}`)).body;
        const err = new Error(await serverDiagnosis(s.core, id));
        if (['enrol_failed', 'unreachable', 'blocked'].includes(server.status)) Object.assign(err, { final: true });
        throw err;
      },
      { timeoutMs: 180_000 },
    );
  }, 300_000);
  afterAll(() => s?.close());

  it('a repeat run of an unchanged host answers unchanged and yields identical facts', async () => {
    const first = await discover({ full: true });
    expect(first.unchanged).toEqual([]);
    // Fingerprints are two whole numbers per section: nothing read from a file travels back.
    expect(Object.keys(JSON.parse(first.fingerprints))).toEqual(ALL);
    expect(Object.values(JSON.parse(first.fingerprints))).toEqual(Array(7).fill(expect.stringMatching(/^\d+ \d+$/)));
    const again = await discover();
    expect(again.unchanged).toEqual(ALL);
    for (const k of REUSED) expect(again.facts[k]).toEqual(first.facts[k]);
    expect(again.facts.packages.length).toBeGreaterThan(50);
    expect(again.facts.admins.uid0).toEqual(['root']);
  });

  it('a changed group file re-runs exactly the sections that read it', async () => {
    const host = fleet.hosts[0]!;
    expect((await host.run(['groupadd', 'incr-ops'])).code).toBe(0);
    const r = await discover();
    expect(r.unchanged).toEqual(but('users', 'access'));
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
    expect(r.unchanged).toEqual(but('packages'));
    expect(r.facts.packages).toContainEqual(expect.objectContaining({ name: 'steward-incr-probe', version: '1.2.3' }));
  });

  it('a line written to a log re-runs the logs section only, and the line is in the facts', async () => {
    const host = fleet.hosts[0]!;
    const line = 'Dec  5 10:00:00 incr-0 sshd[4242]: Accepted publickey for root from 192.0.2.7 port 50000 ssh2';
    expect((await host.run(['sh', '-c', `printf '%s\\n' '${line}' >>/var/log/auth.log`])).code).toBe(0);
    const r = await discover();
    expect(r.unchanged).toEqual(but('logs'));
    const log = (r.facts.logs as { path: string; recentLines: string[] }[]).find((l) => l.path === '/var/log/auth.log');
    expect(log?.recentLines.at(-1)).toBe(line);
    const again = await discover();
    expect(again.unchanged).toEqual(ALL);
    expect(again.facts.logs).toEqual(r.facts.logs);
  });

  it('an added authorized key re-runs the SSH keys section; --full re-runs everything', async () => {
    const host = fleet.hosts[0]!;
    const key = newClientKey().publicKey.trim().split(' ').slice(0, 2).join(' ');
    expect((await host.run(['sh', '-c', `printf '%s incr-probe\\n' '${key}' >>/root/.ssh/authorized_keys`])).code).toBe(
      0,
    );
    const r = await discover();
    expect(r.unchanged).toEqual(but('sshkeys'));
    expect(r.facts.sshKeys.authorized.map((k: { comment: string | null }) => k.comment)).toContain('incr-probe');
    const full = await discover({ full: true });
    expect(full.unchanged).toEqual([]);
    for (const k of REUSED) expect(full.facts[k]).toEqual(r.facts[k]);
  });

  it('a new certificate re-runs the certificates section only, and an unchanged one keeps its facts', async () => {
    const host = fleet.hosts[0]!;
    await host.writeFile('/etc/ssl/steward-incr.crt', CERT, 0o644);
    const r = await discover();
    expect(r.unchanged).toEqual(but('certificates'));
    const cert = (r.facts.certificates as { paths: string[]; subject: string }[]).find((c) =>
      c.paths.includes('/etc/ssl/steward-incr.crt'),
    );
    expect(cert?.subject).toMatch(/fixture\.example\.test/);
    const again = await discover();
    expect(again.unchanged).toEqual(ALL);
    expect(again.facts.certificates).toEqual(r.facts.certificates);
  });

  it("an application's credential: read when its file changes, kept sealed and cut from new text while it does not", async () => {
    const host = fleet.hosts[0]!;
    const found = async () =>
      (await a.client.get(`/api/orgs/${a.orgId}/servers/${id}/found-secrets`)).body.secrets as {
        location: string;
        key: string;
        goneAt: string | null;
      }[];
    const sealedValue = async () => {
      const row = await s.core.db
        .selectFrom('discovered_secrets')
        .selectAll()
        .where('server_id', '=', id)
        .where('location', '=', '/var/www/html/.env')
        .where('key', '=', 'DB_PASSWORD')
        .executeTakeFirstOrThrow();
      const value = await s.core.vault.openText(
        { scope: a.orgId, table: 'discovered_secrets', column: 'value_sealed', row: row.id },
        row.value_sealed,
      );
      return value.reveal();
    };
    // 1. A new .env: the apps section runs and its password is sealed.
    await host.writeFile('/var/www/html/.env', `APP_NAME=shop\nDB_PASSWORD=${CANARY}\n`, 0o640);
    const r1 = await discover();
    expect(r1.unchanged).toEqual(but('apps'));
    const sealed = [expect.objectContaining({ location: '/var/www/html/.env', key: 'DB_PASSWORD', goneAt: null })];
    expect(await found()).toEqual(sealed);
    expect(await sealedValue()).toBe(CANARY);
    // 2. The file as it was, a log line with the password in it: the apps section answers unchanged, the password
    // stays found (not gone) and is cut out of the new log line as when the file was read.
    const line = `Dec  5 11:00:00 incr-0 app[77]: connecting with ${CANARY}`;
    expect((await host.run(['sh', '-c', `printf '%s\\n' '${line}' >>/var/log/auth.log`])).code).toBe(0);
    const r2 = await discover();
    expect(r2.unchanged).toEqual(but('logs'));
    expect(await found()).toEqual(sealed);
    expect(r2.facts.locations).toEqual(r1.facts.locations);
    const log = (r2.facts.logs as { path: string; recentLines: string[] }[]).find(
      (l) => l.path === '/var/log/auth.log',
    );
    expect(log?.recentLines.at(-1)).toBe('Dec  5 11:00:00 incr-0 app[77]: connecting with [secret]');
    expect(JSON.stringify(r2.facts)).not.toContain(CANARY);
    // 3. A new password in the same file: the apps section runs again and the sealed value follows.
    await host.writeFile('/var/www/html/.env', `APP_NAME=shop\nDB_PASSWORD=${CANARY}-2\n`, 0o640);
    const r3 = await discover();
    expect(r3.unchanged).toEqual(but('apps'));
    expect(await sealedValue()).toBe(`${CANARY}-2`);
    // 4. A forced full run reads everything and finds the same.
    const full = await discover({ full: true });
    expect(full.unchanged).toEqual([]);
    expect(await found()).toEqual(sealed);
    // Not the logs: read again, the old password in the log line is no longer a credential found on the host,
    // so nothing cuts it (the unchanged logs kept the line as the run that read it cut it).
    for (const k of REUSED.filter((r) => r !== 'logs')) expect(full.facts[k]).toEqual(r3.facts[k]);
  });
});
