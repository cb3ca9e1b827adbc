import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sleep } from '../src/kernel/clock.js';
import { loadConfig } from '../src/kernel/config.js';

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
    const child = spawn(process.execPath, [BUILT, 'serve'], {
      cwd,
      env: { PATH: process.env.PATH, STEWARD_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      let health: Response | undefined;
      for (let i = 0; i < 150 && !health; i++) {
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        if (!health) await sleep(100);
      }
      expect(health?.status, out).toBe(200);
      expect(statSync(join(cwd, 'data', 'root.key')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(cwd, 'data', 'steward.db'))).toBe(true);
      expect(out).toMatch(/created a new root key/);
      expect((await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/`)).headers.get('content-type')).toMatch(/text\/html/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.on('close', r));
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
