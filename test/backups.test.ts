/**
 * Backups on real isolated hosts, on both Steward database engines: plans proposed from discovery, MariaDB and
 * PostgreSQL dumps and a tar of the web root streamed over SSH into restic, a table and a file dropped and
 * restored byte for byte (after a dry run that says what would change), and the second backup of unchanged
 * data adding almost nothing. Targets and failures (SFTP host, S3 bucket, a target that refuses Steward's key, a full
 * target disk, a wrong database password) run once, on SQLite, against a second real host.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeaks } from '../testkit/canary.js';
import { signUp, seenResponses, type SignedUp } from '../testkit/client.js';
import { dumpDatabase, ENGINES } from '../testkit/db.js';
import { useFleet } from '../testkit/fleet.js';
import { startS3Server } from '../testkit/s3.js';
import { startSmtpSink, type SmtpSink } from '../testkit/smtp.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';
import type { TestHost } from '../src/sandbox/hosts/index.js';

/** The host root these tests use: the database servers and a web server (built once by npm test's steps). */
export const BACKUP_HOST_PACKAGES = ['mariadb-server', 'nginx', 'postgresql'];
const RECIPIENT = 'backups-team@example.com';
const WRONG_PASSWORD = `Cn4ry-bkp-${Math.random().toString(36).slice(2, 10)}-pw`;
const S3_SECRET = `Cn4ry-s3-${Math.random().toString(36).slice(2, 10)}-secret`;
type RepoView = { id: string; isDefault: boolean; initialised: boolean; lastCheckStatus: string | null };
type AlertView = { kind: string; severity: string; title: string; resolvedAt: string | null };
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

const fleet = useFleet({
  count: 2,
  extraPackages: BACKUP_HOST_PACKAGES,
  spec: (i) => ({ name: i === 0 ? 'shop' : 'vault' }),
});

async function sh(host: TestHost, script: string, stdin?: string): Promise<string> {
  const r = await host.run(['sh', '-c', script], { stdin, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${script.slice(0, 80)}… exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The table contents as the database prints them (a byte-for-byte comparison of the data). */
const mysqlRows = (host: TestHost) =>
  sh(
    host,
    "mysql -N -B -e 'SELECT id, name, HEX(blob_col) FROM shop.orders ORDER BY id; SELECT * FROM shop.customers ORDER BY id'",
  );
const pgRows = (host: TestHost) =>
  sh(host, "runuser -u postgres -- psql -At -d ledger -c 'SELECT * FROM entries ORDER BY id'");

beforeAll(async () => {
  const shop = fleet.hosts[0]!;
  // No systemd in the hosts: the servers start from their init scripts.
  await sh(shop, 'service mariadb start >/dev/null 2>&1 || service mysql start');
  await sh(shop, 'pg_ctlcluster 15 main start');
  await until(
    'MariaDB to take connections',
    async () => (await shop.run(['mysql', '-e', 'SELECT 1'])).code === 0 || undefined,
  );
  await sh(
    shop,
    `mysql -e "CREATE DATABASE shop; CREATE TABLE shop.orders (id INT PRIMARY KEY, name VARCHAR(64), blob_col BLOB);
      CREATE TABLE shop.customers (id INT PRIMARY KEY, email VARCHAR(200));
      INSERT INTO shop.customers VALUES (1, 'a@example.com'), (2, 'b@example.com');
      CREATE USER 'shopapp'@'localhost' IDENTIFIED BY 'right-password'; GRANT ALL ON shop.* TO 'shopapp'@'localhost';"`,
  );
  const rows = Array.from(
    { length: 200 },
    (_, i) => `(${i + 1}, 'order ${i + 1} ’quoted’', UNHEX('${randomBytes(64).toString('hex')}'))`,
  );
  await sh(shop, 'mysql', `INSERT INTO shop.orders VALUES ${rows.join(',')};\n`);
  await sh(
    shop,
    `runuser -u postgres -- createdb ledger && runuser -u postgres -- psql -q -d ledger -c "CREATE TABLE entries (id int PRIMARY KEY, memo text, amount numeric); INSERT INTO entries SELECT g, 'memo ' || g, g * 1.5 FROM generate_series(1, 500) g"`,
  );
  await shop.writeFile('/var/www/html/index.html', '<h1>shop</h1>\n');
  await shop.writeFile('/var/www/html/uploads/photo.bin', randomBytes(300_000));
  await shop.writeFile('/var/www/html/cache/tmp.bin', randomBytes(10_000));
}, 300_000);

describe.each(ENGINES)('backups and restore on real hosts (%s)', (engine) => {
  let s: TestSteward;
  let a: SignedUp;
  let smtp: SmtpSink;
  let serverId: string;
  const plans: Record<string, string> = {};
  const first: Record<string, { bytesRead: number; bytesAdded: number; snapshotId: string }> = {};

  const api = () => a.client;
  const org = () => `/api/orgs/${a.orgId}`;
  const waitRun = (runId: string) =>
    until(
      `backup run ${runId} to finish`,
      async () => {
        const run = (await api().get(`${org()}/backups/runs/${runId}`)).body;
        return run.status === 'succeeded' || run.status === 'failed' ? run : undefined;
      },
      { timeoutMs: 180_000, everyMs: 200 },
    );
  const backupNow = async (planId: string) => {
    const res = await api().post(`${org()}/backups/plans/${planId}/run`, {});
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return waitRun(res.body.id);
  };
  const restore = async (body: Record<string, unknown>) => {
    const res = await api().post(`${org()}/backups/restores`, body);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    return waitRun(res.body.id);
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startTestSteward({ engine, env: { STEWARD_SMTP_URL: smtp.url, STEWARD_BACKUP_STALL_SECONDS: '15' } });
    s.core.startWorker();
    a = await signUp(s.app);
    await api().put(`${org()}/monitoring/settings`, { monitorAll: false, recipients: [RECIPIENT] });
    const host = fleet.hosts[0]!;
    const res = await api().post(`${org()}/servers`, {
      name: 'shop',
      address: host.address,
      port: host.port,
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    serverId = res.body.id;
    await until(
      'the first discovery',
      async () => ((await api().get(`${org()}/servers/${serverId}/facts`)).status === 200 ? true : undefined),
      { timeoutMs: 180_000, everyMs: 250 },
    );
  }, 300_000);
  afterAll(async () => {
    if (process.env.BK_DEBUG) (await import('node:fs')).writeFileSync(`/tmp/bk-logs-${engine}.txt`, s.logs.join('\n'));
    await s?.close();
    await smtp?.close();
  }, 240_000);

  it('proposes a plan for each database and the web root from discovery', async () => {
    const res = await api().get(`${org()}/servers/${serverId}/backups/proposals`);
    expect(res.status).toBe(200);
    const proposals = res.body.proposals as { kind: string; database?: string; paths?: string[] }[];
    expect(proposals).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'mysql', database: 'shop' }),
        expect.objectContaining({ kind: 'postgresql', database: 'ledger' }),
        expect.objectContaining({ kind: 'files', paths: expect.arrayContaining(['/var/www/html']) }),
      ]),
    );
    expect(proposals.some((p) => p.database === 'mysql' || p.database === 'postgres')).toBe(false);
    for (const p of proposals.filter((x) => ['shop', 'ledger', undefined].includes(x.database))) {
      const body = p.kind === 'files' ? { ...p, excludes: ['var/www/html/cache'] } : p;
      const created = await api().post(`${org()}/backups/plans`, { ...body, everyMinutes: 60 * 24 });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      plans[p.kind] = created.body.id;
    }
  }, 240_000);

  it('backs up each plan over the server’s login into the default repository, ledgered against the request', async () => {
    for (const kind of ['mysql', 'postgresql', 'files']) {
      const run = await backupNow(plans[kind]!);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      expect(run.snapshotId).toMatch(/^[0-9a-f]{8,64}$/);
      expect(run.bytesRead).toBeGreaterThan(0);
      first[kind] = run;
    }
    const uses = (await api().get(`${org()}/credential-uses?targetId=${serverId}`)).body;
    const ops = (uses.uses ?? uses.entries ?? uses).map(
      (u: { operation: string; instruction: { type: string } }) => `${u.operation}:${u.instruction.type}`,
    );
    expect(ops).toEqual(
      expect.arrayContaining(['ssh.login:backup.mysql:user_action', 'ssh.login:backup.files:user_action']),
    );
    const summary = (await api().get(`${org()}/servers/${serverId}/backups`)).body.plans;
    expect(summary).toHaveLength(3);
    for (const p of summary) {
      expect(p.lastGood).toEqual(
        expect.objectContaining({ sizeBytes: expect.any(Number), durationMs: expect.any(Number) }),
      );
      expect(p.restorePoints).toHaveLength(1);
    }
    const repos = (await api().get(`${org()}/backups/repositories`)).body.repositories;
    expect(repos).toEqual([expect.objectContaining({ kind: 'local', isDefault: true, initialised: true })]);
    expect(await s.core.backups.storageBytes(a.orgId)).toBeGreaterThan(0);
    expect(await s.core.backups.hasPlan(a.orgId, serverId, 'shop')).toBe(true);
    expect(await s.core.backups.hasPlan(a.orgId, serverId, 'other')).toBe(false);
  }, 240_000);

  it('a second backup of unchanged data adds less than 5 % of the first', async () => {
    for (const kind of ['mysql', 'files']) {
      const run = await backupNow(plans[kind]!);
      expect(run.status).toBe('succeeded');
      expect(run.bytesAdded).toBeLessThan(first[kind]!.bytesAdded * 0.05);
    }
  }, 240_000);

  it('restores a dropped table and a deleted file byte for byte, after a dry run that lists the changes', async () => {
    const host = fleet.hosts[0]!;
    const rowsBefore = await mysqlRows(host);
    const pgBefore = await pgRows(host);
    const photo = await host.readFile('/var/www/html/uploads/photo.bin');
    const points = (await api().get(`${org()}/backups/restore-points?serverId=${serverId}`)).body.restorePoints as {
      id: string;
      planId: string;
    }[];
    const latest = (kind: string) => points.find((p) => p.planId === plans[kind])!.id;

    // 1. Damage: a table dropped in each database, a file deleted and another changed.
    await sh(host, "mysql -e 'DROP TABLE shop.orders; DELETE FROM shop.customers WHERE id = 2'");
    await sh(host, "runuser -u postgres -- psql -q -d ledger -c 'DROP TABLE entries'");
    await sh(host, 'rm /var/www/html/uploads/photo.bin && echo changed > /var/www/html/index.html');

    // 2. Dry runs say what would change and change nothing.
    const dryDb = await restore({ snapshotId: latest('mysql'), dryRun: true });
    expect(dryDb.status, JSON.stringify(dryDb.error)).toBe('succeeded');
    expect(dryDb.result.changes).toEqual(
      expect.arrayContaining([
        { action: 'create', path: 'orders' },
        { action: 'replace', path: 'customers' },
      ]),
    );
    const dryFiles = await restore({ snapshotId: latest('files'), dryRun: true, paths: ['/var/www/html'] });
    expect(dryFiles.status, JSON.stringify(dryFiles.error)).toBe('succeeded');
    expect(dryFiles.result.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'create', path: '/var/www/html/uploads/photo.bin' }),
        expect.objectContaining({ action: 'replace', path: '/var/www/html/index.html' }),
      ]),
    );
    expect(dryFiles.result.changes.some((c: { path: string }) => c.path.includes('/cache/'))).toBe(false);
    expect((await host.run(['test', '-e', '/var/www/html/uploads/photo.bin'])).code).toBe(1);

    // 3. The restores put everything back as it was.
    for (const kind of ['mysql', 'postgresql']) {
      const run = await restore({ snapshotId: latest(kind) });
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    }
    const files = await restore({
      snapshotId: latest('files'),
      paths: ['/var/www/html/uploads', '/var/www/html/index.html'],
    });
    expect(files.status, JSON.stringify(files.error)).toBe('succeeded');
    expect(await mysqlRows(host)).toBe(rowsBefore);
    expect(await pgRows(host)).toBe(pgBefore);
    expect(sha(await host.readFile('/var/www/html/uploads/photo.bin'))).toBe(sha(photo));
    expect((await host.readFile('/var/www/html/index.html')).toString()).toBe('<h1>shop</h1>\n');

    // 4. Restores are audited with what they did.
    const audit = (await api().get(`${org()}/audit?limit=200`)).body;
    const actions = (audit.events ?? audit.entries ?? audit).map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['backup.restore_requested', 'backup.restored', 'backup.succeeded']),
    );
  }, 240_000);

  it('restores a database into another database on request, leaving the original alone', async () => {
    const host = fleet.hosts[0]!;
    const point = (await api().get(`${org()}/backups/restore-points?planId=${plans.mysql}`)).body.restorePoints[0];
    const run = await restore({ snapshotId: point.id, database: 'shop_copy' });
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(await sh(host, "mysql -N -B -e 'SELECT COUNT(*) FROM shop_copy.orders'")).toBe('200\n');
    await sh(host, "mysql -e 'DROP DATABASE shop_copy'");
  }, 240_000);

  it('a MySQL restore that fails part-way leaves the database as it was; the next one restores it', async () => {
    const host = fleet.hosts[0]!;
    const point = (await api().get(`${org()}/backups/restore-points?planId=${plans.mysql}`)).body.restorePoints[0];
    await sh(host, "mysql -e 'DELETE FROM shop.customers WHERE id = 2; CREATE TABLE shop.kept (x INT)'");
    const before = await mysqlRows(host);
    // 1. The server refuses the dump's big INSERT of orders, after it took the customers table.
    await sh(host, "mysql -e 'SET GLOBAL max_allowed_packet = 16384'");
    const failed = await restore({ snapshotId: point.id }).finally(() =>
      sh(host, "mysql -e 'SET GLOBAL max_allowed_packet = 67108864'"),
    );
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('STEWARD_BACKUP_RESTORE_FAILED');
    expect(failed.error.message).toMatch(/did not load completely, so shop was not changed/);
    // 2. Nothing changed: not the customers, not the orders, and no database of the restore's own is left.
    expect(await mysqlRows(host)).toBe(before);
    expect(await sh(host, 'mysql -N -B -e "SHOW DATABASES LIKE \'stw%\'"')).toBe('');
    // 3. Restored: the row is back, the table the restore point does not have is kept.
    const ok = await restore({ snapshotId: point.id });
    expect(ok.status, JSON.stringify(ok.error)).toBe('succeeded');
    expect(await sh(host, "mysql -N -B -e 'SELECT COUNT(*) FROM shop.customers; SHOW TABLES FROM shop'")).toBe(
      '2\ncustomers\nkept\norders\n',
    );
    await sh(host, "mysql -e 'DROP TABLE shop.kept'");
  }, 240_000);

  it('refuses bad restore input with a clear error and stores nothing', async () => {
    const point = (await api().get(`${org()}/backups/restore-points?planId=${plans.files}`)).body.restorePoints[0];
    const outside = await api().post(`${org()}/backups/restores`, { snapshotId: point.id, paths: ['/etc/shadow'] });
    expect(outside.status).toBe(400);
    expect(outside.body.error.message).toMatch(/not in this restore point/);
    const badDb = await api().post(`${org()}/backups/restores`, { snapshotId: point.id, database: 'x; DROP' });
    expect(badDb.status).toBe(400);
    const missing = await api().post(`${org()}/backups/restores`, { snapshotId: 'deadbeef' });
    expect(missing.status).toBe(404);
  }, 240_000);

  if (engine !== 'sqlite') return;

  it('backs up to an SFTP host with its own key, and says clearly when that host refuses it', async () => {
    const vault = fleet.hosts[1]!;
    const add = await api().post(`${org()}/backups/repositories`, {
      kind: 'sftp',
      name: 'vault host',
      host: vault.address,
      port: vault.port,
      user: 'root',
      path: '/srv/restic',
      hostKey: vault.hostKeys[0]!.publicKey,
    });
    expect(add.status, JSON.stringify(add.body)).toBe(201);
    expect(add.body.publicKey).toMatch(/^ssh-ed25519 /);
    // 1. Before the key is authorised the target refuses Steward, and says so.
    const early = await api().post(`${org()}/backups/repositories/${add.body.id}/verify`, {});
    expect(early.status).toBe(502);
    expect(early.body.error.code).toBe('STEWARD_BACKUP_TARGET_UNREACHABLE');
    // 2. Authorised: the repository is made and a plan writes to it.
    await sh(vault, 'cat >> /root/.ssh/authorized_keys', `\n${add.body.publicKey}\n`);
    const ok = await api().post(`${org()}/backups/repositories/${add.body.id}/verify`, {});
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const plan = await api().post(`${org()}/backups/plans`, {
      serverId,
      kind: 'files',
      paths: ['/var/www/html'],
      repositoryId: add.body.id,
    });
    const run = await backupNow(plan.body.id);
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect((await vault.run(['test', '-f', '/srv/restic/config'])).code).toBe(0);
    // 3. Unreachable: a clear error, no restore point, an alert and one mail; the next run succeeds.
    await sh(vault, 'mv /root/.ssh/authorized_keys /root/.ssh/authorized_keys.off');
    const down = await backupNow(plan.body.id).finally(() =>
      sh(vault, 'mv /root/.ssh/authorized_keys.off /root/.ssh/authorized_keys'),
    );
    expect(down.status).toBe('failed');
    expect(down.error.code).toBe('STEWARD_BACKUP_TARGET_UNREACHABLE');
    const points = (await api().get(`${org()}/backups/restore-points?planId=${plan.body.id}`)).body.restorePoints;
    expect(points).toHaveLength(1);
    await until('the failure mail', () =>
      smtp.mails.find((m) => m.to.includes(RECIPIENT) && /backup failed/.test(m.subject)),
    );
    const again = await backupNow(plan.body.id);
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
    const alerts = (await api().get(`${org()}/alerts`)).body;
    const open = (alerts.alerts ?? alerts).filter(
      (x: { kind: string; resolvedAt: string | null }) =>
        x.kind === `backup_failed:${plan.body.id}` && x.resolvedAt === null,
    );
    expect(open).toEqual([]);
  }, 240_000);

  it('an SFTP host that stops answering mid-run fails the backup with a clear error instead of hanging', async () => {
    const vault = fleet.hosts[1]!;
    const add = await api().post(`${org()}/backups/repositories`, {
      kind: 'sftp',
      name: 'frozen',
      host: vault.address,
      port: vault.port,
      user: 'root',
      path: '/srv/frozen',
      hostKey: vault.hostKeys[0]!.publicKey,
    });
    await sh(vault, 'cat >> /root/.ssh/authorized_keys', `\n${add.body.publicKey}\n`);
    expect((await api().post(`${org()}/backups/repositories/${add.body.id}/verify`, {})).status).toBe(200);
    const plan = await api().post(`${org()}/backups/plans`, {
      serverId,
      kind: 'files',
      paths: ['/var/www/html'],
      repositoryId: add.body.id,
    });
    // 1. The backup host freezes as soon as the run's SFTP session opens: the connection stays up, nothing answers.
    const eachSftp = (signal: string) =>
      `for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = sftp-server ] && kill -${signal} \${p#/proc/}; done`;
    await until(
      'the verify’s SFTP session to end',
      async () => !(await sh(vault, 'cat /proc/[0-9]*/comm 2>/dev/null; true')).split('\n').includes('sftp-server'),
    );
    await vault.spawnDaemon([
      'sh',
      '-c',
      `while :; do for p in /proc/[0-9]*; do [ "$(cat $p/comm 2>/dev/null)" = sftp-server ] && kill -STOP \${p#/proc/} && exit 0; done; sleep 0.02; done`,
    ]);
    const frozen = await backupNow(plan.body.id).finally(() => sh(vault, `${eachSftp('KILL')}; true`));
    // 2. Stopped after the stall limit (15 s here), with the reason, and no restore point.
    expect(frozen.status).toBe('failed');
    expect(frozen.error.code).toBe('STEWARD_BACKUP_TARGET_UNREACHABLE');
    expect(frozen.error.message).toMatch(/stopped answering \(nothing moved for 15 s\)/);
    expect((await api().get(`${org()}/backups/restore-points?planId=${plan.body.id}`)).body.restorePoints).toEqual([]);
    // 3. With the host answering again, the next run succeeds.
    const again = await backupNow(plan.body.id);
    expect(again.status, JSON.stringify(again.error)).toBe('succeeded');
  }, 240_000);

  it('backs up to an S3 bucket through the S3 API and restores byte for byte; a refused key fails verify clearly', async () => {
    const host = fleet.hosts[0]!;
    const s3 = await startS3Server();
    try {
      // 1. Added: the repository is made in the bucket at once.
      const target = {
        kind: 's3',
        name: 'bucket',
        endpoint: s3.endpoint,
        bucket: 'steward-backups',
        prefix: 'shop',
        region: 'eu-west-1',
        accessKeyId: 'AKIASTEWARDTEST0001',
        secretAccessKey: S3_SECRET,
      };
      const add = await api().post(`${org()}/backups/repositories`, target);
      expect(add.status, JSON.stringify(add.body)).toBe(201);
      expect(add.body).toEqual(
        expect.objectContaining({ initialised: true, url: `s3:${s3.endpoint}/steward-backups/shop` }),
      );
      // 2. A plan writes there, and a deleted file comes back byte for byte.
      const plan = await api().post(`${org()}/backups/plans`, {
        serverId,
        kind: 'files',
        paths: ['/var/www/html/uploads'],
        repositoryId: add.body.id,
      });
      expect(plan.status, JSON.stringify(plan.body)).toBe(201);
      const run = await backupNow(plan.body.id);
      expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
      const photo = await host.readFile('/var/www/html/uploads/photo.bin');
      await sh(host, 'rm /var/www/html/uploads/photo.bin');
      const back = await restore({ snapshotId: run.snapshotId, paths: ['/var/www/html/uploads/photo.bin'] });
      expect(back.status, JSON.stringify(back.error)).toBe('succeeded');
      expect(sha(await host.readFile('/var/www/html/uploads/photo.bin'))).toBe(sha(photo));
      // 3. The bucket stops accepting the key: verify says so, in words that say what to fix.
      await s3.requireSignatures();
      const refused = await api().post(`${org()}/backups/repositories/${add.body.id}/verify`, {});
      expect(refused.status).toBe(502);
      expect(refused.body.error.code).toBe('STEWARD_BACKUP_TARGET_UNREACHABLE');
      expect(refused.body.error.message).toMatch(/refused Steward's access key.*access key id and secret/);
      // 4. A new target whose key is refused is not stored.
      const bad = await api().post(`${org()}/backups/repositories`, { ...target, name: 'refused', prefix: 'other' });
      expect(bad.status).toBe(502);
      expect(bad.body.error.code).toBe('STEWARD_BACKUP_TARGET_UNREACHABLE');
      const names = (await api().get(`${org()}/backups/repositories`)).body.repositories.map(
        (r: { name: string }) => r.name,
      );
      expect(names).not.toContain('refused');
      // 5. The secret key is in no row, log line or response.
      const leaks = [
        ...findLeaks(dumpDatabase(s.db), { secret: S3_SECRET }, 'database'),
        ...findLeaks(s.logs.join('\n'), { secret: S3_SECRET }, 'logs'),
        ...findLeaks(seenResponses.join('\n'), { secret: S3_SECRET }, 'responses'),
      ];
      expect(leaks).toEqual([]);
    } finally {
      await s3.close();
    }
  }, 240_000);

  it('a full target disk fails the backup with a clear error and leaves no restore point; with room, the next run succeeds', async () => {
    const vault = fleet.hosts[1]!;
    await sh(vault, 'mkdir -p /srv/small && mount -t tmpfs -o size=2m tmpfs /srv/small');
    const add = await api().post(`${org()}/backups/repositories`, {
      kind: 'sftp',
      name: 'small',
      host: vault.address,
      port: vault.port,
      user: 'root',
      path: '/srv/small/restic',
      hostKey: vault.hostKeys[0]!.publicKey,
    });
    await sh(vault, 'cat >> /root/.ssh/authorized_keys', `\n${add.body.publicKey}\n`);
    expect((await api().post(`${org()}/backups/repositories/${add.body.id}/verify`, {})).status).toBe(200);
    const plan = await api().post(`${org()}/backups/plans`, {
      serverId,
      kind: 'files',
      paths: ['/var/www/html'],
      repositoryId: add.body.id,
    });
    await fleet.hosts[0]!.writeFile('/var/www/html/big.bin', randomBytes(4 * 1024 * 1024));
    const full = await backupNow(plan.body.id);
    expect(full.status).toBe('failed');
    expect(full.error.code).toBe('STEWARD_BACKUP_TARGET_FULL');
    expect((await api().get(`${org()}/backups/restore-points?planId=${plan.body.id}`)).body.restorePoints).toEqual([]);
    await sh(vault, 'mount -o remount,size=64m /srv/small');
    const roomy = await backupNow(plan.body.id);
    expect(roomy.status, JSON.stringify(roomy.error)).toBe('succeeded');
    await sh(fleet.hosts[0]!, 'rm /var/www/html/big.bin');
  }, 240_000);

  it('a wrong database password fails with a clear error, never shows the password, and a corrected plan succeeds', async () => {
    const plan = await api().post(`${org()}/backups/plans`, {
      serverId,
      kind: 'mysql',
      database: 'shop',
      dbAuth: 'given',
      dbUser: 'shopapp',
      dbPassword: WRONG_PASSWORD,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const bad = await backupNow(plan.body.id);
    expect(bad.status).toBe('failed');
    expect(bad.error.code).toBe('STEWARD_BACKUP_DATABASE_REFUSED');
    expect((await api().get(`${org()}/backups/restore-points?planId=${plan.body.id}`)).body.restorePoints).toEqual([]);
    await api().patch(`${org()}/backups/plans/${plan.body.id}`, { dbPassword: 'right-password' });
    const good = await backupNow(plan.body.id);
    expect(good.status, JSON.stringify(good.error)).toBe('succeeded');
    const leaks = [
      ...findLeaks(dumpDatabase(s.db), { password: WRONG_PASSWORD }, 'database'),
      ...findLeaks(s.logs.join('\n'), { password: WRONG_PASSWORD }, 'logs'),
      ...findLeaks(seenResponses.join('\n'), { password: WRONG_PASSWORD }, 'responses'),
    ];
    expect(leaks).toEqual([]);
  }, 240_000);
  it('checks a repository: sound it passes; locked by another restic it “could not be checked”; a lost pack is damage', async () => {
    const repo = ((await api().get(`${org()}/backups/repositories`)).body.repositories as RepoView[]).find(
      (r) => r.isDefault,
    )!;
    expect(repo.initialised).toBe(true);
    const path = join(s.dataDir, 'backups', 'repos', a.orgId);
    const password = (await api().post(`${org()}/backups/key/export`, {})).body.password as string;
    const check = async () => {
      const res = await api().post(`${org()}/backups/repositories/${repo.id}/check`, {});
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      return waitRun(res.body.id);
    };
    const alertOf = async () =>
      ((await api().get(`${org()}/alerts`)).body.alerts as AlertView[]).find(
        (x) => x.kind === `backup_check:${repo.id}` && x.resolvedAt === null,
      );
    // 1. Sound.
    const sound = await check();
    expect(sound.status, JSON.stringify(sound.error)).toBe('succeeded');
    // 2. A restic of the customer's own holds a lock (a backup waiting on its input): not damage, a warning.
    const dir = mkdtempSync(join(tmpdir(), 'steward-bk-lock-'));
    writeFileSync(join(dir, 'pw'), password, { mode: 0o600 });
    const holder = spawn(
      'restic',
      ['-r', path, '--password-file', join(dir, 'pw'), '--no-cache', 'backup', '--stdin', '--stdin-filename', 'x'],
      { stdio: ['pipe', 'ignore', 'ignore'] },
    );
    try {
      await until('the customer’s restic to hold a lock', () => readdirSync(join(path, 'locks')).length > 0);
      const busy = await check();
      expect(busy.status).toBe('failed');
      expect(busy.error.code).toBe('STEWARD_BACKUP_REPOSITORY_BUSY');
      expect(busy.error.message).toMatch(/another restic holds the repository's lock/);
      const warning = await alertOf();
      expect(warning).toMatchObject({ severity: 'warning' });
      expect(warning!.title).toMatch(/could not be checked/);
      await until('the “could not be checked” mail', () =>
        smtp.mails.find((m) => m.to.includes(RECIPIENT) && /could not be checked/.test(m.body)),
      );
    } finally {
      holder.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
    // 3. The killed restic's lock is stale: the next check clears it, passes and resolves the alert.
    const cleared = await check();
    expect(cleared.status, JSON.stringify(cleared.error)).toBe('succeeded');
    expect(await alertOf()).toBeUndefined();
    // 4. A pack lost from the repository is damage: a critical alert, a mail, and the repository says so.
    const packs = readdirSync(join(path, 'data'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    rmSync(join(packs[0]!.parentPath, packs[0]!.name));
    const damaged = await check();
    expect(damaged.status).toBe('failed');
    expect(damaged.error.code).toBe('STEWARD_BACKUP_REPOSITORY_DAMAGED');
    expect(await alertOf()).toMatchObject({ severity: 'critical' });
    const after = ((await api().get(`${org()}/backups/repositories`)).body.repositories as RepoView[]).find(
      (r) => r.id === repo.id,
    )!;
    expect(after.lastCheckStatus).toBe('failed');
    await until('the “failed its check” mail', () =>
      smtp.mails.find((m) => m.to.includes(RECIPIENT) && /failed its check/.test(m.body)),
    );
  }, 240_000);
});
