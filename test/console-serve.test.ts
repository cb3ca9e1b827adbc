// Engine: SQLite only: no store behaviour is tested here (docs/testing.md).
import Fastify from 'fastify';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CONSOLE_CSP,
  consoleCspWithStyleNonce,
  consoleDistDir,
  consoleRoutes,
  STYLE_NONCE_META,
} from '../src/api/routes/console.js';
import { Secret } from '../src/kernel/secret.js';
import { TestClient } from '../testkit/client.js';
import { ensureConsoleBuilt } from '../testkit/console.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

describe('console: served by Steward on the API’s port', () => {
  let s: TestSteward;
  beforeAll(async () => {
    await ensureConsoleBuilt();
    s = await startTestSteward({
      engine: 'sqlite',
      env: { STEWARD_METRICS_TOKEN: 'console-serve-metrics-0123456789abcdef' },
    });
  });
  afterAll(() => s?.close());
  const get = (url: string) => new TestClient(s.app).get(url);

  it('answers index.html with a strict CSP for the console’s paths, and the page has no inline script or style', async () => {
    const nonces = new Set<string>();
    for (const url of [
      '/',
      '/signin',
      '/confirm',
      '/orgs/org_06h2cxrkp07yfjky6zbmzver1w/credentials',
      '/invite/some-token?x=1',
    ]) {
      const res = await get(url);
      expect(res.status, url).toBe(200);
      expect(String(res.headers['content-type'])).toMatch(/^text\/html/);
      // One fresh nonce per answer, for style elements the console's own scripts make (the terminal), in the page and the policy alike.
      const nonce = new RegExp(`<meta name="${STYLE_NONCE_META}" content="([A-Za-z0-9+/=]{24})" />`).exec(res.raw)?.[1];
      expect(nonce, url).toBeDefined();
      nonces.add(nonce!);
      expect(res.headers['content-security-policy']).toBe(consoleCspWithStyleNonce(nonce!));
      expect(res.headers['content-security-policy']).toBe(
        CONSOLE_CSP.replace("style-src 'self'", `style-src 'self' 'nonce-${nonce}'`),
      );
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(res.raw).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    }
    expect(nonces.size).toBe(5);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const html = readFileSync(join(consoleDistDir(), 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
  });

  it('serves hashed assets for good, and a missing asset is a coded 404', async () => {
    const assets = readdirSync(join(consoleDistDir(), 'assets'));
    const js = assets.find((a) => a.endsWith('.js'))!;
    const css = assets.find((a) => a.endsWith('.css'))!;
    const script = await get(`/assets/${js}`);
    expect(script.status).toBe(200);
    expect(String(script.headers['content-type'])).toMatch(/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(String((await get(`/assets/${css}`)).headers['content-type'])).toMatch(/text\/css/);
    const missing = await get('/assets/index-nothere.js');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('STEWARD_ROUTE_NOT_FOUND');
    const icon = await get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(String(icon.headers['content-type'])).toMatch(/image\/svg\+xml/);
  });

  it('leaves the API, /healthz and /metrics alone', async () => {
    for (const url of ['/api/nope', '/api', '/api/orgs/nope/whatever']) {
      const res = await get(url);
      expect(res.status, url).toBe(404);
      expect(res.body.error.code, url).toBe('STEWARD_ROUTE_NOT_FOUND');
    }
    expect((await new TestClient(s.app).post('/signin', {})).body.error.code).toBe('STEWARD_ROUTE_NOT_FOUND');
    expect((await get('/api/me')).body.error.code).toBe('STEWARD_UNAUTHENTICATED');
    expect((await get('/healthz')).body.status).toBe('ok');
    const metrics = await new TestClient(s.app, { token: 'console-serve-metrics-0123456789abcdef' }).get('/metrics');
    expect(metrics.raw).toMatch(/steward_http_requests_total/);
    const doc = (await get('/api/openapi.json')).body;
    expect(Object.keys(doc.paths).filter((p) => !p.startsWith('/api/'))).toEqual(['/healthz', '/metrics']);
  });

  it('lets a staff member who still has to enrol a second factor load the console, but not the API', async () => {
    const email = `enrolling-${Date.now()}@example.com`;
    await s.core.users.createStaff(
      { email, password: new Secret('operator passphrase'), name: 'New Operator', roles: ['support'] },
      { type: 'system' },
      {},
    );
    const signin = await new TestClient(s.app).post('/api/auth/signin', { email, password: 'operator passphrase' });
    const staff = new TestClient(s.app, {
      cookie: String(signin.headers['set-cookie']).split(';')[0]!,
      csrf: signin.body.csrfToken,
    });
    expect((await staff.get('/staff/audit')).status).toBe(200);
    const asset = readdirSync(join(consoleDistDir(), 'assets')).find((a) => a.endsWith('.js'))!;
    expect((await staff.get(`/assets/${asset}`)).status).toBe(200);
    expect((await staff.get('/api/orgs')).body.error.code).toBe('STEWARD_TOTP_ENROLMENT_REQUIRED');
  });

  it('says how to build the console when web/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'steward-no-console-'));
    const app = Fastify();
    try {
      consoleRoutes(app, { distDir: empty });
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/' });
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('npm run build');
      expect(res.body).not.toMatch(/<script/);
    } finally {
      await app.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
