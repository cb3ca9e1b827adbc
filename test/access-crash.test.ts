// Engine: SQLite only: a Steward killed mid-session and the recording it leaves; the access stores run on both engines in access-grants and tenant-isolation (docs/testing.md).
import type { Json } from '../testkit/client.js';
/**
 * docs/decisions/0008-access.md: a Steward process killed with SIGKILL in the middle of a terminal session leaves a playable
 * recording of everything up to (at most one flush interval before) the kill; the next start marks the
 * session incomplete and audits `session.recording_incomplete`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { openDatabase } from '../src/db/database.js';
import { runCli, spawnCli } from '../testkit/cli.js';
import { createTestDatabase, type TestDatabase } from '../testkit/db.js';
import { untilServerReady } from '../testkit/diagnose.js';
import { useFleet } from '../testkit/fleet.js';
import { TEST_ENV } from '../testkit/steward.js';
import { openTerminal } from '../testkit/terminal.js';
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

describe('terminal recording survives kill -9 of Steward', () => {
  const fleet = useFleet({ count: 1, spec: () => ({ name: 'crash-host' }) });
  let db: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  const children: ChildProcess[] = [];
  let log = '';

  async function serve(): Promise<ChildProcess> {
    const child = spawnCli(['serve'], env);
    children.push(child);
    log = '';
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await until(
      'steward to answer',
      async () => {
        const up = await fetch(`${base}/healthz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (up) return true;
        throw new Error(`not yet; its log: ${log.slice(-300)}`);
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    return child;
  }

  beforeAll(async () => {
    db = await createTestDatabase('sqlite');
    dataDir = mkdtempSync(join(tmpdir(), 'steward-crash-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = {
      ...TEST_ENV,
      STEWARD_LOG_LEVEL: 'warn',
      STEWARD_DATA_DIR: dataDir,
      STEWARD_PORT: String(port),
      STEWARD_RECORDING_FLUSH_MS: '300',
      HOME: dataDir,
      ...db.env,
    };
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps what was recorded before the kill, and the next start marks it incomplete', async () => {
    const first = await serve();
    // 1. A customer signs up, adds the host, and opens a terminal through the child Steward.
    const post = (path: string, payload: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
    const account = { email: 'crash@example.com', password: 'crash test password' };
    expect((await post('/api/auth/signup', { ...account, name: 'Crash', orgName: 'Crash Org' })).status).toBe(202);
    // The confirmation link, from the outbox (this Steward has no SMTP server), as the README shows.
    const outbox = await runCli(['outbox', '--to', account.email], env);
    const token = /\/confirm#([A-Za-z0-9_-]+)/.exec(outbox.stdout)?.[1];
    expect(token, outbox.stderr).toBeDefined();
    expect((await post('/api/auth/confirm', { token })).status).toBe(200);
    const signin = await post('/api/auth/signin', account);
    const body = (await signin.json()) as { csrfToken: string; orgs: { id: string }[] };
    const cookie = (signin.headers.get('set-cookie') ?? '').split(';')[0]!;
    const orgId = body.orgs[0]!.id;
    const call = (method: string, path: string, payload?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { cookie, 'x-csrf-token': body.csrfToken, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }));
    const host = fleet.hosts[0]!;
    const added = await call('POST', `/api/orgs/${orgId}/servers`, {
      name: 'crash',
      address: host.address,
      port: host.port,
      privateKey: fleet.clientKey.privateKey,
      hostKey: host.hostKeys[0]!.publicKey,
    });
    expect(added.status).toBe(202);
    const peek = openDatabase(db.target);
    try {
      await untilServerReady(
        peek,
        added.body.id as string,
        async () => (await call('GET', `/api/orgs/${orgId}/servers/${added.body.id}`)).body.status,
        { timeoutMs: 60_000, everyMs: 200, more: () => `its log: ${log.slice(-600)}` },
      );
    } finally {
      await peek.close();
    }
    const term = await openTerminal(base, { cookie, csrf: body.csrfToken }, { orgId, serverId: added.body.id });
    term.type('echo "before-crash-$((2+3))"\n');
    await term.waitFor('before-crash-5');
    await sleep(900); // a few flush intervals: committed
    // 2. kill -9 mid-session.
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('close', resolve));
    expect((await term.ended).code).not.toBe(1000);

    // 3. A new process starts: it finds the session cut by the crash.
    await serve();
    const sessions = (await call('GET', `/api/orgs/${orgId}/terminal-sessions`)).body.sessions;
    expect(sessions[0]).toMatchObject({ id: term.sessionId, status: 'incomplete', endReason: 'process_crashed' });
    const rec = (await call('GET', `/api/orgs/${orgId}/terminal-sessions/${term.sessionId}/recording`)).body;
    const [header, ...events] = (rec.cast as string)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(header).toMatchObject({ version: 2 });
    expect(
      events
        .filter((e: unknown[]) => e[1] === 'o')
        .map((e: unknown[]) => e[2])
        .join(''),
    ).toContain('before-crash-5');
    const audit = (await call('GET', `/api/orgs/${orgId}/audit?action=session.recording_incomplete`)).body.entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target: { type: 'terminal_session', id: term.sessionId } });
  }, 240_000);
});
