// Engine: SQLite only: the compiled CLI (migrate, first operator, serve, stop); the stores it uses run on both engines elsewhere (docs/testing.md).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, spawnCli } from '../testkit/cli.js';
import { createTestDatabase, rawQuery, type TestDatabase } from '../testkit/db.js';
import { TEST_ENV } from '../testkit/steward.js';
import { until } from '../testkit/wait.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitForHealth(url: string): Promise<Response> {
  return until(`${url} to answer`, () => fetch(`${url}/healthz`), { timeoutMs: 20_000 });
}

describe('steward CLI', () => {
  let db: TestDatabase;
  let dataDir: string;
  let home: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'steward-cli-'));
    home = mkdtempSync(join(tmpdir(), 'steward-home-'));
    env = { ...TEST_ENV, STEWARD_LOG_LEVEL: 'warn', STEWARD_DATA_DIR: dataDir, HOME: home, ...db.env };
  });
  afterAll(async () => {
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('explains itself', async () => {
    const help = await runCli(['--help'], env);
    expect(help.code).toBe(0);
    for (const cmd of ['serve', 'migrate', 'admin', 'keys', 'audit', 'login']) expect(help.stdout).toContain(cmd);
    const sub = await runCli(['keys', 'rotate', '--help'], env);
    expect(sub.stdout).toMatch(/--root/);
  });

  it('fails with one clear line and a non-zero exit on mistakes', async () => {
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown command/);
    const badRole = await runCli(['serve', '--role', 'everything'], env);
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr).toMatch(/use all, api or worker/);
    const badConfig = await runCli(['migrate'], { ...env, STEWARD_PORT: 'eighty' });
    expect(badConfig.code).toBe(1);
    expect(badConfig.stderr.trim().split('\n')).toHaveLength(1);
    expect(badConfig.stderr).toMatch(/^steward: STEWARD_PORT is invalid/);
    const notLoggedIn = await runCli(['whoami'], env);
    expect(notLoggedIn.code).toBe(1);
    expect(notLoggedIn.stderr).toMatch(/steward login/);
  });

  it('migrates, creates the first operator, and refuses a weak password', async () => {
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/Applied: 0001_foundation/);
    expect((await runCli(['migrate'], env)).stdout).toMatch(/already up to date/);
    const weak = await runCli(
      ['admin', 'create', '--email', 'op@example.com', '--name', 'Op', '--password-stdin'],
      env,
      'short\n',
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/at least 10 characters/);
    const ok = await runCli(
      ['admin', 'create', '--email', 'op@example.com', '--name', 'Op', '--roles', 'admin,security', '--password-stdin'],
      env,
      'operator password here\n',
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/Created operator usr_/);
    const rows = await rawQuery(db, 'select kind, staff_roles from users');
    expect(rows).toEqual([{ kind: 'staff', staff_roles: 'admin,security' }]);
  });

  // A dozen CLI processes, each starting Node and the CLI: allowed more than the default minute on a busy machine.
  it('serves, logs in with a stored token (0600), and stops cleanly on SIGTERM', { timeout: 180_000 }, async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = spawnCli(['serve'], { ...env, STEWARD_PORT: String(port) });
    let serverOut = '';
    server.stdout!.on('data', (d: Buffer) => (serverOut += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (serverOut += d.toString()));
    try {
      expect((await waitForHealth(url)).status).toBe(200);
      const signup = await fetch(`${url}/api/auth/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          email: 'cli@example.com',
          password: 'cli user password',
          name: 'Cli User',
          orgName: 'Cli Org',
        }),
      });
      expect(signup.status).toBe(202);
      // The address is confirmed with the link from the mail, read here from the outbox as the README shows.
      const outbox = await runCli(['outbox', '--to', 'cli@example.com'], env);
      expect(outbox.code, outbox.stderr).toBe(0);
      const token = /\/confirm#([A-Za-z0-9_-]+)/.exec(outbox.stdout)?.[1];
      const mails = await runCli(['outbox', '--to', 'cli@example.com', '--json'], env);
      expect(mails.code, mails.stderr).toBe(0);
      expect(JSON.parse(mails.stdout)).toEqual([
        expect.objectContaining({ template: 'account.confirm', text: expect.stringContaining(`/confirm#${token}`) }),
      ]);
      const confirmed = await fetch(`${url}/api/auth/confirm`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(confirmed.status).toBe(200);
      const login = await runCli(
        ['login', '--url', url, '--email', 'cli@example.com', '--password-stdin'],
        env,
        'cli user password\n',
      );
      expect(login.code, login.stderr).toBe(0);
      const file = join(home, '.config', 'steward', 'cli.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const who = await runCli(['whoami'], env);
      expect(who.code, who.stderr).toBe(0);
      expect(who.stdout).toContain('Cli User <cli@example.com>');
      expect(who.stdout).toContain('Cli Org');
      const recipes = await runCli(['tasks', 'recipes', '--json'], env);
      expect(recipes.code, recipes.stderr).toBe(0);
      expect(JSON.parse(recipes.stdout)).toContainEqual(
        expect.objectContaining({ id: 'initial-setup', kind: 'state' }),
      );
      const ls = await runCli(['orgs', 'ls', '--json'], env);
      expect(JSON.parse(ls.stdout)).toEqual([expect.objectContaining({ name: 'Cli Org', role: 'owner' })]);
      // Deleting the organisation takes the password again: the stored token alone is not enough.
      const orgId = JSON.parse(ls.stdout)[0].id as string;
      const del = (password: string) =>
        runCli(['orgs', 'delete', orgId, '--confirm', 'Cli Org', '--password-stdin'], env, `${password}\n`);
      const refused = await del('not the password');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^steward: That password is wrong/);
      const deleted = await del('cli user password');
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toMatch(/Deleting Cli Org/);
      expect(JSON.parse((await runCli(['orgs', 'ls', '--json'], env)).stdout)).toEqual([]);
      const wrong = await runCli(
        ['login', '--url', url, '--email', 'cli@example.com', '--password-stdin'],
        env,
        'not the password\n',
      );
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^steward: The e-mail address or password is wrong/);
    } finally {
      server.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => server.on('close', (c) => resolve(c)));
    expect(code, serverOut).toBe(0);
    expect(serverOut).not.toContain('cli user password');
  });

  it('a failed migration stops start-up with a clear message and leaves nothing half-made', async () => {
    const broken = await createTestDatabase('sqlite');
    try {
      // A table in the way makes the first migration fail part-way.
      await rawQuery(broken, 'CREATE TABLE users (id text)');
      const port = await freePort();
      const res = await runCli(['serve'], {
        ...env,
        ...broken.env,
        STEWARD_PORT: String(port),
        STEWARD_DATA_DIR: mkdtempSync(join(tmpdir(), 'steward-broken-')),
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^steward: Migration 0001_foundation failed: .*users.*steward migrate/);
      const tables = await rawQuery(
        broken,
        "select name from sqlite_master where type = 'table' and name like 'vault%'",
      );
      expect(tables).toEqual([]);
    } finally {
      await broken.drop();
    }
  });
});
