// Engine: SQLite only: no store behaviour is tested here (docs/testing.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient, signUp, type Json } from '../testkit/client.js';
import { operationsOf } from '../testkit/openapi.js';
import { startTestSteward, type TestSteward } from '../testkit/steward.js';

const METRICS_TOKEN = 'prometheus-scrape-token-0123456789abcdef';

describe('operator endpoints, headers and the API description', () => {
  let s: TestSteward;
  beforeAll(async () => {
    s = await startTestSteward({ engine: 'sqlite', env: { STEWARD_METRICS_TOKEN: METRICS_TOKEN } });
  });
  afterAll(() => s?.close());

  it('/healthz reports each part', async () => {
    const res = await new TestClient(s.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', vault: { sealed: false }, audit: 'ok', database: 'ok' });
  });

  it('/metrics speaks Prometheus text with request counts', async () => {
    const a = await signUp(s.app);
    await a.client.get('/api/me');
    expect((await new TestClient(s.app).get('/metrics')).status).toBe(401);
    const res = await new TestClient(s.app, { token: METRICS_TOKEN }).get('/metrics');
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/text\/plain/);
    expect(res.raw).toMatch(/steward_http_requests_total\{method="GET",route="\/api\/me",status="200"\} \d+/);
    expect(res.raw).toMatch(/steward_vault_sealed 0/);
    expect(res.raw).toMatch(/steward_process_resident_memory_bytes/);
  });

  it('sets security headers and a request id on every answer', async () => {
    for (const url of ['/', '/api/me', '/healthz', '/api/nope']) {
      const res = await new TestClient(s.app).get(url);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
      expect(res.headers['x-request-id']).toMatch(/^req_/);
      if (url.startsWith('/api/')) expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('ignores a request id sent by the client', async () => {
    const res = await new TestClient(s.app).request('GET', '/healthz', undefined, {
      'request-id': 'forged',
      'x-request-id': 'forged',
    });
    expect(res.headers['x-request-id']).not.toBe('forged');
  });

  it('describes every operation in OpenAPI with a summary and coded error answers, and serves a docs page', async () => {
    const doc = (await new TestClient(s.app).get('/api/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(20);
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        if (path.startsWith('/api/')) expect(Object.keys(op.responses), `${method} ${path}`).toContain('4XX');
      }
    }
    const docs = await new TestClient(s.app).get('/api/docs/');
    expect(docs.status).toBe(200);
    expect(String(docs.headers['content-type'])).toMatch(/text\/html/);
  });
});
