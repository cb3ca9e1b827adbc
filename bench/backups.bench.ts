/**
 * Backups: Steward's backup and restore of a database (1 GiB of table data by default) and of 10,000 small files
 * on a real isolated host, against the same work done by hand in the same run (`ssh host mysqldump … | restic
 * backup --stdin`, `restic dump … | ssh host mysql …`, the same with tar), as throughput ratios; plus what a
 * second backup of unchanged data adds to the repository, as a share of the first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestHost } from '../src/sandbox/hosts/index.js';
import { signUp } from '../testkit/client.js';
import { createFleetLauncher, disposeFleetLauncher, newClientKey } from '../testkit/fleet.js';
import { startTestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

const DB_MIB = Number(process.env.BENCH_BACKUP_DB_MIB ?? 1024);
const FILES = 10_000;

export interface BackupBench {
  readonly dbBytes: number;
  readonly filesBytes: number;
  readonly db: { steward: Leg; byHand: Leg };
  readonly files: { steward: Leg; byHand: Leg };
  /** Bytes the second backup of unchanged data added, as a share of the first's. */
  readonly secondShare: { db: number; files: number };
}
interface Leg {
  readonly backupS: number;
  readonly restoreS: number;
}

function sh(cmd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], {
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd.slice(0, 60)}… exited ${code}: ${err}`)),
    );
  });
}

async function onHost(host: TestHost, script: string): Promise<string> {
  const r = await host.run(['sh', '-c', script], { timeoutMs: 30 * 60_000 });
  if (r.code !== 0) throw new Error(`${script.slice(0, 60)}… exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

const timed = async (fn: () => Promise<unknown>): Promise<number> => {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
};

export async function benchBackups(): Promise<BackupBench> {
  const key = newClientKey();
  const launcher = await createFleetLauncher({ extraPackages: ['mariadb-server', 'nginx', 'postgresql'] }, [
    key.publicKey,
  ]);
  const work = mkdtempSync(join(tmpdir(), 'steward-bench-backups-'));
  try {
    const host = await launcher.launch({ name: 'bench-db' });
    // 1. The data: a table of random rows (incompressible, so neither side gains from compression) and small files.
    await onHost(host, 'service mariadb start >/dev/null 2>&1 || service mysql start');
    await until('MariaDB', async () => (await host.run(['mysql', '-e', 'SELECT 1'])).code === 0 || undefined, {
      timeoutMs: 120_000,
    });
    const rows = DB_MIB * 1024;
    await onHost(
      host,
      `mysql -e "CREATE DATABASE shop; USE shop; CREATE TABLE shop.t (id INT AUTO_INCREMENT PRIMARY KEY, b VARBINARY(1000)) ENGINE=InnoDB;
        INSERT INTO shop.t (b) SELECT RANDOM_BYTES(1000) FROM seq_1_to_1024;
        INSERT INTO shop.t (b) SELECT RANDOM_BYTES(1000) FROM shop.t, seq_1_to_${Math.max(1, Math.ceil(rows / 1024) - 1)} LIMIT ${rows - 1024};"`,
    );
    await onHost(
      host,
      `mkdir -p /var/www/bench && cd /var/www/bench && for i in $(seq 1 ${FILES}); do head -c 4096 /dev/urandom > f$i; done`,
    );
    const dbBytes = Number(await onHost(host, 'mysql -N -e "SELECT SUM(LENGTH(b)) FROM shop.t"'));
    const filesBytes = FILES * 4096;

    // 2. Steward, through its API.
    const s = await startTestSteward({ engine: 'sqlite' });
    s.core.startWorker();
    const a = await signUp(s.app);
    const org = `/api/orgs/${a.orgId}`;
    const server = (
      await a.client.post(`${org}/servers`, {
        name: 'bench-db',
        address: host.address,
        port: host.port,
        privateKey: key.privateKey,
        hostKey: host.hostKeys[0]!.publicKey,
      })
    ).body.id as string;
    await until(
      'enrolment',
      async () => ((await a.client.get(`${org}/servers/${server}`)).body.status === 'ready' ? true : undefined),
      { timeoutMs: 300_000 },
    );
    const waitRun = (id: string) =>
      until(
        `run ${id}`,
        async () => {
          const r = (await a.client.get(`${org}/backups/runs/${id}`)).body;
          if (r.status === 'failed')
            throw Object.assign(new Error(`${r.error.code}: ${r.error.message}`), { final: true });
          return r.status === 'succeeded' ? r : undefined;
        },
        { timeoutMs: 60 * 60_000, everyMs: 500 },
      );
    const plan = async (body: Record<string, unknown>) =>
      (await a.client.post(`${org}/backups/plans`, { serverId: server, ...body })).body.id as string;
    const dbPlan = await plan({ kind: 'mysql', database: 'shop' });
    const filesPlan = await plan({ kind: 'files', paths: ['/var/www/bench'] });
    const backup = async (planId: string) =>
      waitRun((await a.client.post(`${org}/backups/plans/${planId}/run`, {})).body.id);
    const restore = async (snapshotId: string) =>
      waitRun((await a.client.post(`${org}/backups/restores`, { snapshotId })).body.id);
    let dbRun: { snapshotId: string; bytesAdded: number } | undefined;
    let filesRun: { snapshotId: string; bytesAdded: number } | undefined;
    const stewardDbBackup = await timed(async () => (dbRun = await backup(dbPlan)));
    const stewardFilesBackup = await timed(async () => (filesRun = await backup(filesPlan)));
    const dbSecond = await backup(dbPlan);
    const filesSecond = await backup(filesPlan);
    const stewardDbRestore = await timed(() => restore(dbRun!.snapshotId));
    const stewardFilesRestore = await timed(() => restore(filesRun!.snapshotId));
    await s.close();

    // 3. By hand: the same dump and tar, piped through the system ssh into restic (and back), same machine.
    writeFileSync(join(work, 'key'), key.privateKey, { mode: 0o600 });
    const hostPart = host.port === 22 ? host.address : `[${host.address}]:${host.port}`;
    writeFileSync(join(work, 'known_hosts'), `${hostPart} ${host.hostKeys[0]!.publicKey}\n`);
    writeFileSync(join(work, 'pw'), 'bench-password\n', { mode: 0o600 });
    const env = {
      RESTIC_REPOSITORY: join(work, 'repo'),
      RESTIC_PASSWORD_FILE: join(work, 'pw'),
      RESTIC_CACHE_DIR: join(work, 'cache'),
      HOME: work,
    };
    const ssh = `ssh -F /dev/null -i ${join(work, 'key')} -o UserKnownHostsFile=${join(work, 'known_hosts')} -o StrictHostKeyChecking=yes -o BatchMode=yes -p ${host.port} root@${host.address}`;
    const dump =
      'mysqldump --single-transaction --quick --routines --triggers --events --hex-blob --no-tablespaces --skip-dump-date shop';
    await sh('restic init', env);
    const handDbBackup = await timed(() =>
      sh(`${ssh} ${dump} | restic backup --stdin --stdin-filename shop.sql --tag db`, env),
    );
    const handFilesBackup = await timed(() =>
      sh(
        `${ssh} tar --create --file=- --numeric-owner -C / var/www/bench | restic backup --stdin --stdin-filename files.tar --tag files`,
        env,
      ),
    );
    const handDbRestore = await timed(() => sh(`restic dump --tag db latest /shop.sql | ${ssh} mysql shop`, env));
    const handFilesRestore = await timed(() =>
      sh(`restic dump --tag files latest /files.tar | ${ssh} tar --extract --file=- -C /`, env),
    );

    return {
      dbBytes,
      filesBytes,
      db: {
        steward: { backupS: stewardDbBackup, restoreS: stewardDbRestore },
        byHand: { backupS: handDbBackup, restoreS: handDbRestore },
      },
      files: {
        steward: { backupS: stewardFilesBackup, restoreS: stewardFilesRestore },
        byHand: { backupS: handFilesBackup, restoreS: handFilesRestore },
      },
      secondShare: {
        db: dbSecond.bytesAdded / dbRun!.bytesAdded,
        files: filesSecond.bytesAdded / filesRun!.bytesAdded,
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    await disposeFleetLauncher(launcher);
  }
}
