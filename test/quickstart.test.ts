// Engine: SQLite only: the compiled Steward started with nothing configured, whose default database is SQLite (docs/testing.md).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { START_FLAGS } from '../testkit/cluster.js';
import { loadConfig } from '../src/kernel/config.js';
import { until } from '../testkit/wait.js';

const ROOT = resolve(import.meta.dirname, '..');
const BUILT = join(ROOT, 'dist/src/cli/main.js');

describe('quickstart', () => {
  it('defaults to SQLite in ./data and http://127.0.0.1:8080', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.database).toEqual({ engine: 'sqlite', path: resolve('data', 'steward.db') });
  });

  it('the built Steward (what `npm start` runs) starts with nothing configured and serves the API', async () => {
    expect(existsSync(BUILT), `${BUILT} is missing: run \`npm run build\` (npm install does it)`).toBe(true);
    const cwd = mkdtempSync(join(tmpdir(), 'steward-quickstart-'));
    const port = 20000 + Math.floor(Math.random() * 20000);
    const child = spawn(process.execPath, [...START_FLAGS, BUILT, 'serve'], {
      cwd,
      env: { PATH: process.env.PATH, STEWARD_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const health = await until(
        `the server to answer (${out})`,
        () => fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined),
        { timeoutMs: 30_000 },
      );
      expect(health.status, out).toBe(200);
      expect(statSync(join(cwd, 'data', 'root.key')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(cwd, 'data', 'steward.db'))).toBe(true);
      expect(out).toMatch(/created a new root key/);
      expect((await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/`)).headers.get('content-type')).toMatch(/text\/html/);

      // README "First steps": sign up, find the confirmation link in the outbox, confirm, sign in, read the audit.
      const base = `http://127.0.0.1:${port}`;
      const post = (path: string, body: object, cookie = '') =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
          body: JSON.stringify(body),
        });
      const email = 'ada@example.com';
      const password = 'copper lantern orbit meadow';
      const signup = await post('/api/auth/signup', { email, password, name: 'Ada', orgName: 'Analytical' });
      expect(signup.status).toBe(202);
      const outbox = spawnSync(process.execPath, [BUILT, 'outbox', '--to', email], {
        cwd,
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
      });
      expect(outbox.status, outbox.stderr).toBe(0);
      const token = /\/confirm#([A-Za-z0-9_-]+)/.exec(outbox.stdout)?.[1];
      expect(token, outbox.stdout).toBeDefined();
      expect((await post('/api/auth/confirm', { token })).status).toBe(200);
      const signin = await post('/api/auth/signin', { email, password });
      expect(signin.status).toBe(200);
      const session = (await signin.json()) as { orgs: { id: string }[] };
      const cookie = (signin.headers.get('set-cookie') ?? '').split(';')[0]!;
      const audit = await fetch(`${base}/api/orgs/${session.orgs[0]!.id}/audit`, { headers: { cookie } });
      expect(audit.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 180_000);
});
