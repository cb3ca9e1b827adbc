// Engine: SQLite only: a worker killed mid-backup and what it leaves in the restic repository; the backup rows run on both engines in backups (docs/testing.md).
/**
 * A Steward worker killed with `kill -9` in the middle of a backup, on a real host, on SQLite (the run and job
 * rows are the same on both engines; what matters here is the repository and the process): once with restic
 * (killed too, so its lock stays behind in the repository) and once with restic left alive (it reads EOF on its
 * stdin, and would save what it had if nothing stopped it). Either way the next worker finishes the run with a
 * whole restore point, the repository has no lock left and passes `restic check`, the only snapshot of the run in
 * the repository is the one Steward recorded, and the next run goes as usual. A repository check asked for in the
 * meantime waits for the run (restic's check needs the repository to itself) and passes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, TestClient, type SignedUp } from '../testkit/client.js';
import { createTestDatabase, type TestDatabase } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { untilServer } from '../testkit/diagnose.js';
import { until } from '../testkit/wait.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DATA_BYTES = 96 * 1024 * 1024;
const fleet = useFleet({ count: 1, spec: () => ({ name: 'crashy' }) });

describe('a worker killed mid-backup (sqlite)', () => {
  let db: TestDatabase;
  let dataDir: string;
  let s: TestSteward;
  let a: SignedUp;
  let planId: string;
  let repositoryId: string;
  let repoPath: string;
  const env = { STEWARD_JOBS_LEASE_SECONDS: '2', STEWARD_LOG_LEVEL: 'info' };
  let client: TestClient;
  const api = () => client;
  const org = () => `/api/orgs/${a.orgId}`;
  const children = new Set<ChildProcess>();

  /** restic on the organisation's default repository, the way a customer would run it with the exported key. */
  const restic = (args: string[], password: string, listTar = false) => {
    const pw = join(dataDir, 'pw.txt');
    writeFileSync(pw, password, { mode: 0o600 });
    // With listTar, what restic prints is a tar stream: tar lists its members (name, size) instead.
    const r = listTar
      ? spawnSync(
          'sh',
          [
            '-c',
            'r="$1" p="$2"; shift 2; restic -r "$r" --password-file "$p" --no-cache "$@" | tar -tv',
            'sh',
            repoPath,
            pw,
            ...args,
          ],
          {
            encoding: 'utf8',
          },
        )
      : spawnSync('restic', ['-r', repoPath, '--password-file', pw, '--no-cache', ...args], { encoding: 'utf8' });
    rmSync(pw);
    if (r.status !== 0) throw new Error(`restic ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'steward-bkcrash-'));
    // 1. Set up with a worker in this process: a server, a files plan over 96 MiB, and a first restore point
    //    (so the repository exists), then stop it: from here on the worker is a separate process.
    const setup = await startTestSteward({ engine: 'sqlite', db, dataDir, env });
    setup.core.startWorker();
    a = await signUp(setup.app);
    client = a.client;
    const host = fleet.hosts[0]!;
    await host.writeFile('/srv/data/big.bin', randomBytes(DATA_BYTES));
    const server = await api().post(`${org()}/servers`, {
      name: 'crashy',
      address: host.address,
      port: host.port,
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    expect(server.status, JSON.stringify(server.body)).toBe(202);
    await untilServer(
      setup.core,
      server.body.id,
      'to be enrolled and discovered',
      async () => (await api().get(`${org()}/servers/${server.body.id}/facts`)).status === 200,
      { timeoutMs: 180_000, everyMs: 250 },
    );
    const plan = await api().post(`${org()}/backups/plans`, {
      serverId: server.body.id,
      kind: 'files',
      paths: ['/srv/data'],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    planId = plan.body.id;
    repositoryId = plan.body.repositoryId;
    await setup.close();
    await reopen();
    repoPath = join(dataDir, 'backups', 'repos', a.orgId);
  }, 300_000);

  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) process.kill(-c.pid!, 'SIGKILL');
    await s?.close();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 120_000);

  /** This process's Steward again, without a worker, on the same database and data folder. */
  async function reopen() {
    s = await startTestSteward({ engine: 'sqlite', db, dataDir, env });
    client = new TestClient(s.app, a.client.auth);
  }

  /**
   * The restic processes started for this test's repository (other tests run restic too). A zombie's environment
   * reads empty, so an exited one is not listed even before its parent reaps it.
   */
  const resticPids = () =>
    readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`RESTIC_REPOSITORY=${repoPath}\0`);
        } catch {
          return false;
        }
      });

  /**
   * Whether any of these processes is still in the process table. An orphan that exited stays there as a zombie
   * until whoever adopted it reaps it (PID 1 here can take a second); restic counts a lock whose process is a
   * zombie as held, so the takeover must not start before then.
   */
  const present = (pids: string[]) => pids.some((pid) => existsSync(`/proc/${pid}`));

  /** A worker in its own process group (so `kill -9` can take restic and ssh with it). */
  async function startWorker(): Promise<ChildProcess> {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', `${ROOT}src/cli/main.ts`, 'serve', '--role', 'worker', '--no-migrate'],
      {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir, ...s.env, STEWARD_PORT: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    children.add(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
    await until('the worker process to start', () => {
      if (child.exitCode !== null) throw Object.assign(new Error(`worker exited: ${out}`), { final: true });
      return /job runner started/.test(out);
    });
    return child;
  }

  async function crashMidBackup(takeRestic: boolean): Promise<{ runId: string; restics: string[] }> {
    const host = fleet.hosts[0]!;
    // 1. A separate worker takes the run; once bytes flow into restic, the capture is frozen on the server (so the backup
    //    cannot finish in between) and the worker is killed with SIGKILL.
    const worker = await startWorker();
    const res = await api().post(`${org()}/backups/plans/${planId}/run`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const runId = res.body.id as string;
    await until(
      'the backup to stream',
      async () => {
        const run = (await api().get(`${org()}/backups/runs/${runId}`)).body;
        if (run.status === 'succeeded' || run.status === 'failed')
          throw Object.assign(new Error(`the run ended before the kill: ${run.status}`), { final: true });
        // Bytes read, and restic's lock taken (it has opened the repository and is reading them).
        const locked = existsSync(join(repoPath, 'locks')) && readdirSync(join(repoPath, 'locks')).length > 0;
        return (locked && Number(run.progress?.bytesRead ?? 0) > 0) || undefined;
      },
      { timeoutMs: 120_000, everyMs: 20 },
    );
    await host.run([
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = tar ] && kill -STOP ${p#/proc/}; done; true',
    ]);
    const restics = resticPids();
    expect(restics.length, 'the backup’s restic is running').toBeGreaterThan(0);
    const gone = new Promise((resolve) => worker.once('exit', resolve));
    if (takeRestic) process.kill(-worker.pid!, 'SIGKILL');
    else worker.kill('SIGKILL');
    await gone;
    await host.run([
      'sh',
      '-c',
      'for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = tar ] && kill -KILL ${p#/proc/}; done; true',
    ]);
    // 2. What the kill left: the run still says running, and (with restic killed) its lock is in the repository.
    expect((await api().get(`${org()}/backups/runs/${runId}`)).body.status).toBe('running');
    if (takeRestic) expect(readdirSync(join(repoPath, 'locks')).length).toBeGreaterThan(0);
    return { runId, restics };
  }

  it.each([
    ['restic killed with it (a stale lock)', true],
    ['restic left to itself (it reads EOF with its parent gone)', false],
  ])(
    'the next worker finishes the run whole: %s',
    async (_what, takeRestic) => {
      const { runId, restics } = await crashMidBackup(takeRestic);
      const key = (await api().post(`${org()}/backups/key/export`, {})).body.password as string;
      // restic outlives the worker in the second case: whatever it does is done before the run is taken over.
      await until('the killed run’s restic to end and be reaped', () => !present(restics));
      // A repository check asked for meanwhile (the first time; the scheduled one is then not due for hours): it
      // takes restic's exclusive lock, so it waits for the run into the repository and passes after it.
      let checkId: string | undefined;
      if (takeRestic) {
        const check = await api().post(`${org()}/backups/repositories/${repositoryId}/check`, {});
        expect(check.status, JSON.stringify(check.body)).toBe(202);
        checkId = check.body.id as string;
      }
      // 3. A worker in this process takes the run over once the dead one's lease lapses, and finishes it.
      s.core.startWorker();
      const run = await until(
        'the run to finish',
        async () => {
          const r = (await api().get(`${org()}/backups/runs/${runId}`)).body;
          return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
        },
        { timeoutMs: 180_000, everyMs: 200 },
      );
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.attempt).toBe(2);
      expect(run.bytesRead).toBeGreaterThan(DATA_BYTES);
      // 4. Once nothing runs (the check too), the repository has no lock, passes check, and the run's only snapshot
      //    is the recorded, whole one.
      const runs = await until(
        'every run of the organisation to end',
        async () => {
          const all = (await api().get(`${org()}/backups/runs`)).body.runs as { id: string; status: string }[];
          return all.every((r) => r.status === 'succeeded' || r.status === 'failed') ? all : undefined;
        },
        { timeoutMs: 180_000, everyMs: 200 },
      );
      if (checkId) expect(runs.find((r) => r.id === checkId)?.status).toBe('succeeded');
      expect(readdirSync(join(repoPath, 'locks'))).toEqual([]);
      restic(['check'], key);
      const ofRun = JSON.parse(restic(['snapshots', '--json', '--tag', `run=${runId}`], key)) as { short_id: string }[];
      expect(ofRun.map((x) => x.short_id)).toEqual([run.snapshotId]);
      const listing = restic(['dump', run.snapshotId, '/files.tar'], key, true);
      expect(listing).toMatch(new RegExp(`\\b${DATA_BYTES}\\b.*srv/data/big\\.bin`));
      // 5. The next run starts and succeeds as usual (nothing is held).
      const next = await api().post(`${org()}/backups/plans/${planId}/run`, {});
      expect(next.status, JSON.stringify(next.body)).toBe(202);
      const done = await until(
        'the next run',
        async () => {
          const r = (await api().get(`${org()}/backups/runs/${next.body.id}`)).body;
          return r.status === 'succeeded' || r.status === 'failed' ? r : undefined;
        },
        { timeoutMs: 180_000, everyMs: 200 },
      );
      expect(done.status, JSON.stringify(done.error)).toBe('succeeded');
      // The in-process worker stops again for the next case (it would take the run from the separate worker).
      await s.close();
      await reopen();
    },
    400_000,
  );
});
